/** Multiple-testing corrections of p-values: Benjamini-Hochberg (FDR) and Holm (FWER). */

/** Benjamini-Hochberg adjusted p-values (q-values), in input order; NaN stays NaN. */
export function benjaminiHochberg(pvalues: readonly number[]): number[] {
  const idx = pvalues.map((p, i) => ({ p, i })).filter((x) => Number.isFinite(x.p))
  idx.sort((a, b) => a.p - b.p)
  const m = idx.length
  const out = pvalues.map(() => Number.NaN)
  let min = 1
  for (let r = m - 1; r >= 0; r--) {
    const it = idx[r] as { p: number; i: number }
    min = Math.min(min, (it.p * m) / (r + 1))
    out[it.i] = Math.min(1, min)
  }
  return out
}

/** Holm step-down adjusted p-values, in input order; NaN stays NaN. */
export function holm(pvalues: readonly number[]): number[] {
  const idx = pvalues.map((p, i) => ({ p, i })).filter((x) => Number.isFinite(x.p))
  idx.sort((a, b) => a.p - b.p)
  const m = idx.length
  const out = pvalues.map(() => Number.NaN)
  let max = 0
  idx.forEach((it, r) => {
    max = Math.max(max, Math.min(1, (m - r) * it.p))
    out[it.i] = max
  })
  return out
}
