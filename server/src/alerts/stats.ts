import type { MetricValue } from '../metrics/types.ts'
import { normalCdf, Z95 } from '../stats/normal.ts'

/** Standard error recovered from a 95% interval; 0 when the metric has none (sums, counts). */
export function stdErr(f: Pick<MetricValue, 'lo' | 'hi'>): number {
  return f.lo !== null && f.hi !== null ? Math.max(0, f.hi - f.lo) / (2 * Z95) : 0
}

export interface Change {
  /** Signed change: absolute difference or relative (fraction of the baseline). */
  x: number
  se: number
  /** Two-sided p-value of "no change" (normal approximation). */
  p: number
}

export function change(
  mode: 'absolute' | 'relative' | 'significance',
  cur: MetricValue,
  base: MetricValue,
): Change | null {
  if (cur.value === null || base.value === null) return null
  const d = cur.value - base.value
  const se = Math.hypot(stdErr(cur), stdErr(base))
  const p = se > 0 ? 2 * (1 - normalCdf(Math.abs(d / se))) : d === 0 ? 1 : 0
  if (mode === 'relative') {
    if (!(base.value > 0)) return null
    return { x: d / base.value, se: se / base.value, p }
  }
  return { x: d, se, p }
}
