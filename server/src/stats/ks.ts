/** Two-sample Kolmogorov-Smirnov with the limiting Kolmogorov distribution (scipy's kstwobign). */

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
