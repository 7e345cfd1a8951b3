import { mulberry32 } from '../core/random.ts'

/**
 * Monte-Carlo estimators of KL(policy || reference) from one sampled response (decision 024).
 * The response's tokens x_t were drawn from the policy p; with d_t = log q(x_t) - log p(x_t):
 *   k1 = sum_t -d_t                 unbiased, high variance, can be negative on one response;
 *   k3 = sum_t (e^d_t - 1 - d_t)    unbiased (E_p[q/p] = 1), never negative, lower variance near p = q.
 * Both estimate the sequence-level KL (the sum over positions of the per-position KL along the path).
 */
export interface ResponseKl {
  tokens: number
  k1: number
  k3: number
  /** Per-token means, k1 / tokens and k3 / tokens. */
  k1PerToken: number
  k3PerToken: number
  /** The token that moved most: the largest per-token k3 term. */
  maxTerm: number
  maxIndex: number
}

export function responseKl(
  policyLogprobs: readonly number[],
  referenceLogprobs: readonly number[],
): ResponseKl {
  if (policyLogprobs.length !== referenceLogprobs.length)
    throw new Error('policy and reference logprobs differ in length')
  let k1 = 0
  let k3 = 0
  let maxTerm = Number.NEGATIVE_INFINITY
  let maxIndex = -1
  policyLogprobs.forEach((lp, i) => {
    const d = (referenceLogprobs[i] as number) - lp
    const t3 = Math.expm1(d) - d
    k1 -= d
    k3 += t3
    if (t3 > maxTerm) {
      maxTerm = t3
      maxIndex = i
    }
  })
  const n = policyLogprobs.length
  return {
    tokens: n,
    k1,
    k3,
    k1PerToken: n ? k1 / n : 0,
    k3PerToken: n ? k3 / n : 0,
    maxTerm: n ? maxTerm : 0,
    maxIndex,
  }
}

export interface Estimate {
  value: number
  lo: number
  hi: number
}

export interface WindowStats {
  n: number
  mean: Estimate
  /** Mean after dropping the top and bottom `trim` share (robust to a few runaway responses). */
  trimmedMean: Estimate
  p95: Estimate
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN
}

export function trimmedMean(xs: readonly number[], trim = 0.1): number {
  const s = [...xs].sort((a, b) => a - b)
  const cut = Math.floor(s.length * trim)
  return mean(s.slice(cut, s.length - cut))
}

/** Linear-interpolated quantile (type 7). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const h = (s.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.ceil(h)
  return (s[lo] as number) + (h - lo) * ((s[hi] as number) - (s[lo] as number))
}

/** Percentile bootstrap interval of `stat` (seeded, so a window always gets the same interval). */
export function bootstrap(
  xs: readonly number[],
  stat: (sample: number[]) => number,
  opts: { resamples?: number; level?: number; seed?: number } = {},
): Estimate {
  const value = stat([...xs])
  if (xs.length < 2) return { value, lo: value, hi: value }
  const rng = mulberry32(opts.seed ?? 19)
  const b = opts.resamples ?? 1000
  const out: number[] = []
  const sample = new Array<number>(xs.length)
  for (let r = 0; r < b; r++) {
    for (let i = 0; i < xs.length; i++) sample[i] = xs[Math.floor(rng() * xs.length)] as number
    out.push(stat(sample))
  }
  const alpha = (1 - (opts.level ?? 0.95)) / 2
  return { value, lo: quantile(out, alpha), hi: quantile(out, 1 - alpha) }
}

export function windowStats(
  xs: readonly number[],
  opts: { resamples?: number; seed?: number } = {},
): WindowStats {
  return {
    n: xs.length,
    mean: bootstrap(xs, mean, opts),
    trimmedMean: bootstrap(xs, (s) => trimmedMean(s), opts),
    p95: bootstrap(xs, (s) => quantile(s, 0.95), opts),
  }
}

/**
 * Exact two-sided sign test on paired differences (ties dropped): the p-value of seeing at least this
 * lopsided a split of positive vs negative differences if each were a fair coin.
 */
export function signTest(diffs: readonly number[]): { positive: number; negative: number; p: number } {
  const positive = diffs.filter((d) => d > 0).length
  const negative = diffs.filter((d) => d < 0).length
  const n = positive + negative
  if (n === 0) return { positive, negative, p: 1 }
  const k = Math.min(positive, negative)
  // P(X <= k) for X ~ Binomial(n, 1/2), in log space to stay finite for large n.
  let logC = 0
  let tail = 0
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i)
    tail += Math.exp(logC - n * Math.LN2)
  }
  return { positive, negative, p: Math.min(1, 2 * tail) }
}
