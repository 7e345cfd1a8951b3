import { benjaminiHochberg, holm } from '../stats/multiple-testing.ts'
import type { DriftResult } from './baseline.ts'

export type Adjustment = 'bh' | 'holm'

export interface AdjustedResult extends DriftResult {
  /** p adjusted for the family of tests it was run with (BH q-value or Holm); null when untested. */
  pAdjusted: number | null
}

/**
 * Multiple-testing guard: a report tests dozens of metrics at once, so significance is decided on the
 * adjusted p (Benjamini-Hochberg by default, Holm for family-wise control), and never below min samples.
 */
export function adjustResults(
  results: DriftResult[],
  alpha = 0.05,
  method: Adjustment = 'bh',
): AdjustedResult[] {
  const ps = results.map((r) => (r.p === null || r.insufficient ? Number.NaN : r.p))
  const adj = method === 'bh' ? benjaminiHochberg(ps) : holm(ps)
  return results.map((r, i) => {
    const a = adj[i] as number
    const pAdjusted = Number.isFinite(a) ? a : null
    return { ...r, pAdjusted, significant: pAdjusted !== null && pAdjusted < alpha && !r.insufficient }
  })
}
