export type RangeKey = '15m' | '1h' | '6h' | '24h' | '7d'

export interface RangeOption {
  key: RangeKey
  label: string
  seconds: number
  /** Chart bucket size in seconds: about 60 buckets per range. */
  step: number
}

export const RANGES: readonly RangeOption[] = [
  { key: '15m', label: '15 min', seconds: 15 * 60, step: 15 },
  { key: '1h', label: '1 h', seconds: 3600, step: 60 },
  { key: '6h', label: '6 h', seconds: 6 * 3600, step: 300 },
  { key: '24h', label: '24 h', seconds: 24 * 3600, step: 1200 },
  { key: '7d', label: '7 d', seconds: 7 * 24 * 3600, step: 3 * 3600 },
]

export function rangeOf(key: RangeKey): RangeOption {
  const found = RANGES.find((r) => r.key === key)
  if (!found) throw new Error(`unknown range ${key}`)
  return found
}

export function isRangeKey(value: string): value is RangeKey {
  return RANGES.some((r) => r.key === value)
}

/** The window ending now; the summary step covers it in one bucket where the API allows (max 1 day). */
export function windowFor(range: RangeOption, now: number = Date.now()) {
  const to = new Date(now)
  const from = new Date(now - range.seconds * 1000)
  return { from, to, step: range.step, summaryStep: Math.min(range.seconds, 86_400) }
}
