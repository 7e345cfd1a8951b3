/**
 * Drift statistics, pure functions over samples or counts. References: PSI (Siddiqi, credit scoring),
 * Jensen-Shannon in bits (0..1), KS two-sample with the limiting Kolmogorov distribution (scipy's
 * kstwobign; fine for the hundreds of samples drift needs), pooled two-proportion z-test, BH and Holm.
 */

/** Complementary error function, Numerical Recipes `erfcc` (fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return x >= 0 ? r : 2 - r
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2)
}

/**
 * Bin edges from the baseline's quantiles (nearest rank, distinct, below its maximum), so each bin holds
 * ~1/bins of the baseline and discrete scores get one bin per value instead of empty slivers.
 */
export function quantileEdges(baseline: readonly number[], bins = 10): number[] {
  const sorted = [...baseline].filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return []
  const max = sorted[sorted.length - 1] as number
  const edges: number[] = []
  for (let i = 1; i < bins; i++) {
    const v = sorted[Math.max(0, Math.ceil((i / bins) * sorted.length) - 1)] as number
    if (v < max && (edges.length === 0 || v > (edges[edges.length - 1] as number))) edges.push(v)
  }
  return edges
}

/** Counts per bin: bin i holds values in (edges[i-1], edges[i]]; the last bin is open above. */
export function binCounts(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0)
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    let lo = 0
    let hi = edges.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (v <= (edges[mid] as number)) hi = mid
      else lo = mid + 1
    }
    counts[lo] = (counts[lo] as number) + 1
  }
  return counts
}

/** Proportions with additive smoothing, so an empty bin never makes a log infinite. */
export function smoothedProportions(counts: readonly number[], alpha = 0.5): number[] {
  const total = counts.reduce((a, b) => a + b, 0) + alpha * counts.length
  return counts.map((c) => (c + alpha) / total)
}

export interface BinnedDistributions {
  edges: number[]
  baseline: number[]
  current: number[]
}

export function binBoth(
  baseline: readonly number[],
  current: readonly number[],
  bins = 10,
): BinnedDistributions {
  const edges = quantileEdges(baseline, bins)
  return {
    edges,
    baseline: smoothedProportions(binCounts(baseline, edges)),
    current: smoothedProportions(binCounts(current, edges)),
  }
}

/** Population stability index over aligned proportions: sum (c - b) ln(c / b). */
export function psiFromProportions(baseline: readonly number[], current: readonly number[]): number {
  let s = 0
  for (let i = 0; i < baseline.length; i++) {
    const b = baseline[i] as number
    const c = current[i] as number
    s += (c - b) * Math.log(c / b)
  }
  return s
}

/** Jensen-Shannon divergence in bits (0 = identical, 1 = disjoint). */
export function jsFromProportions(p: readonly number[], q: readonly number[]): number {
  let s = 0
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as number
    const b = q[i] as number
    const m = (a + b) / 2
    if (a > 0) s += 0.5 * a * Math.log2(a / m)
    if (b > 0) s += 0.5 * b * Math.log2(b / m)
  }
  return Math.max(0, s)
}

export function psi(baseline: readonly number[], current: readonly number[], bins = 10): number {
  const d = binBoth(baseline, current, bins)
  return psiFromProportions(d.baseline, d.current)
}

export function jensenShannon(baseline: readonly number[], current: readonly number[], bins = 10): number {
  const d = binBoth(baseline, current, bins)
  return jsFromProportions(d.baseline, d.current)
}

/** Survival function of the Kolmogorov distribution: P(K > x) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 x^2). */
export function kolmogorovSf(x: number): number {
  if (x <= 0) return 1
  if (x < 0.2) return 1
  let s = 0
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * x * x)
    s += (j % 2 === 1 ? 1 : -1) * term
    if (term < 1e-16) break
  }
  return Math.min(1, Math.max(0, 2 * s))
}

export interface KsResult {
  d: number
  p: number
  n1: number
  n2: number
}

/** Two-sample Kolmogorov-Smirnov: D = sup |F1 - F2|, p from the asymptotic distribution of sqrt(nm/(n+m)) D. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const x = [...a].filter(Number.isFinite).sort((p, q) => p - q)
  const y = [...b].filter(Number.isFinite).sort((p, q) => p - q)
  const n1 = x.length
  const n2 = y.length
  if (n1 === 0 || n2 === 0) return { d: Number.NaN, p: Number.NaN, n1, n2 }
  let i = 0
  let j = 0
  let d = 0
  while (i < n1 && j < n2) {
    const v = Math.min(x[i] as number, y[j] as number)
    while (i < n1 && (x[i] as number) <= v) i++
    while (j < n2 && (y[j] as number) <= v) j++
    d = Math.max(d, Math.abs(i / n1 - j / n2))
  }
  const en = Math.sqrt((n1 * n2) / (n1 + n2))
  return { d, p: kolmogorovSf(en * d), n1, n2 }
}

export interface ProportionTest {
  z: number
  p: number
  diff: number
}

/** Pooled two-proportion z-test of x2/n2 against x1/n1 (two-sided). */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): ProportionTest {
  if (n1 <= 0 || n2 <= 0) return { z: Number.NaN, p: Number.NaN, diff: Number.NaN }
  const p1 = x1 / n1
  const p2 = x2 / n2
  const pooled = (x1 + x2) / (n1 + n2)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
  if (se === 0) return { z: 0, p: 1, diff: p2 - p1 }
  const z = (p2 - p1) / se
  return { z, p: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))), diff: p2 - p1 }
}

/** Difference of two Pearson correlations via Fisher z (two-sided). */
export function correlationDiffZ(r1: number, n1: number, r2: number, n2: number): ProportionTest {
  if (n1 <= 3 || n2 <= 3) return { z: Number.NaN, p: Number.NaN, diff: Number.NaN }
  const clamp = (r: number) => Math.max(-0.999999, Math.min(0.999999, r))
  const z = (Math.atanh(clamp(r2)) - Math.atanh(clamp(r1))) / Math.sqrt(1 / (n1 - 3) + 1 / (n2 - 3))
  return { z, p: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))), diff: r2 - r1 }
}

/** Welch's z approximation for two means (large samples): two-sided. */
export function meanDiffZ(m1: number, se1: number, m2: number, se2: number): ProportionTest {
  const se = Math.sqrt(se1 * se1 + se2 * se2)
  if (!(se > 0)) return { z: 0, p: 1, diff: m2 - m1 }
  const z = (m2 - m1) / se
  return { z, p: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))), diff: m2 - m1 }
}

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
