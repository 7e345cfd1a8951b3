import { Z95 } from './normal.ts'

/** 95% confidence intervals for the catalog's aggregates. Pure functions of sufficient statistics. */

export interface Interval {
  value: number | null
  lo: number | null
  hi: number | null
}

/** Wilson score interval for k successes out of n. */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (n <= 0) return { value: null, lo: null, hi: null }
  const p = Math.min(1, Math.max(0, k / n))
  const z2 = z * z
  const denom = 1 + z2 / n
  const center = (p + z2 / (2 * n)) / denom
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom
  return { value: p, lo: Math.max(0, center - half), hi: Math.min(1, center + half) }
}

/** Sample mean with a normal interval from the sample variance (sum and sum of squares). */
export function meanInterval(n: number, sum: number, sumSq: number, z = Z95): Interval {
  if (n <= 0) return { value: null, lo: null, hi: null }
  const mean = sum / n
  if (n < 2) return { value: mean, lo: null, hi: null }
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1))
  const half = z * Math.sqrt(variance / n)
  return { value: mean, lo: mean - half, hi: mean + half }
}

/** Sample standard deviation from sufficient statistics; null below 2 samples. */
export function sampleSd(n: number, sum: number, sumSq: number): number | null {
  if (n < 2) return null
  const mean = sum / n
  return Math.sqrt(Math.max(0, (sumSq - n * mean * mean) / (n - 1)))
}

/**
 * 1-based ranks of the order statistics bounding quantile q (normal approximation to the binomial):
 * [x_(j), x_(k)] with j = floor(nq - z sqrt(nq(1-q))), k = ceil(nq + z sqrt(nq(1-q))), clamped to [1, n].
 */
export function quantileRanks(n: number, q: number, z = Z95): { lo: number; hi: number } {
  const half = z * Math.sqrt(n * q * (1 - q))
  return {
    lo: Math.min(n, Math.max(1, Math.floor(n * q - half))),
    hi: Math.min(n, Math.max(1, Math.ceil(n * q + half))),
  }
}

/** The quantile levels that bound q's interval for n samples (rank / n), for digests. */
export function quantileLevels(n: number, q: number, z = Z95): { lo: number; hi: number } {
  const half = z * Math.sqrt((q * (1 - q)) / Math.max(1, n))
  return { lo: Math.max(0, q - half), hi: Math.min(1, q + half) }
}

export interface Moments {
  n: number
  sx: number
  sy: number
  sxx: number
  syy: number
  sxy: number
}

/** Pearson r with a Fisher-z interval; value null when either side has no variance. */
export function pearson(m: Moments, z = Z95): Interval {
  const { n } = m
  if (n < 2) return { value: null, lo: null, hi: null }
  const cov = n * m.sxy - m.sx * m.sy
  const vx = n * m.sxx - m.sx * m.sx
  const vy = n * m.syy - m.sy * m.sy
  if (!(vx > 0 && vy > 0)) return { value: null, lo: null, hi: null }
  const r = Math.max(-1, Math.min(1, cov / Math.sqrt(vx * vy)))
  if (n <= 3 || Math.abs(r) === 1) return { value: r, lo: null, hi: null }
  const fz = Math.atanh(r)
  const se = 1 / Math.sqrt(n - 3)
  return { value: r, lo: Math.tanh(fz - z * se), hi: Math.tanh(fz + z * se) }
}
