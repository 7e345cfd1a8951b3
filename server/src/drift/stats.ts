/**
 * Drift distances, pure functions over samples or counts: PSI (Siddiqi, credit scoring) and
 * Jensen-Shannon in bits (0..1). The tests (KS, z-tests) and corrections live in stats/.
 */

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
