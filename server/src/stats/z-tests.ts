import { normalCdf } from './normal.ts'

/** Two-sided z-tests of a difference (proportions, correlations, means), normal approximations. */

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
