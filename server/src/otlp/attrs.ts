type Json = Record<string, unknown>

/** Attribute values that carry JSON as text (the conventions' structured values usually do). */
export function jsonish(v: unknown): unknown {
  if (typeof v !== 'string') return v
  const t = v.trim()
  if (!(t.startsWith('[') || t.startsWith('{'))) return v
  try {
    return JSON.parse(t)
  } catch {
    return v
  }
}

/** `prefix.0.x`, `prefix.0.y`, `prefix.1.x` -> [{x, y}, {x}] (flattened lists of OpenLLMetry and OpenInference). */
export function indexed(attrs: Json, prefix: string): Json[] {
  const out: Json[] = []
  const p = `${prefix}.`
  for (const [k, v] of Object.entries(attrs)) {
    if (!k.startsWith(p)) continue
    const rest = k.slice(p.length)
    const dot = rest.indexOf('.')
    const i = Number(dot === -1 ? rest : rest.slice(0, dot))
    if (!Number.isInteger(i) || i < 0 || i > 10_000 || dot === -1) continue
    out[i] ??= {}
    ;(out[i] as Json)[rest.slice(dot + 1)] = v
  }
  return out.filter(Boolean)
}
