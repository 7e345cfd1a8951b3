/** A surrogate half without its partner: invalid UTF-16, and rejected by ClickHouse's JSON input. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const SURROGATE = /[\uD800-\uDFFF]/

/** Replaces lone surrogates with U+FFFD; strings without any surrogate are returned as they are. */
export function wellFormed(s: string): string {
  return SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s
}

/**
 * Returns `value` with every string made well-formed, copying only what changes. Iterative, so a
 * deeply nested value cannot overflow the stack.
 */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return wellFormed(value) as T
  if (typeof value !== 'object' || value === null) return value
  const stack: Array<Record<string, unknown> | unknown[]> = [value as Record<string, unknown>]
  const seen = new Set<unknown>()
  while (stack.length > 0) {
    const o = stack.pop() as Record<string, unknown>
    if (seen.has(o)) continue
    seen.add(o)
    for (const k of Object.keys(o)) {
      const v = o[k]
      if (typeof v === 'string') {
        const w = wellFormed(v)
        if (w !== v) o[k] = w
      } else if (typeof v === 'object' && v !== null) stack.push(v as Record<string, unknown>)
    }
  }
  return value
}
