/** The standard normal distribution: CDF, quantile and the two-sided 95% critical value. */

/** z such that P(|Z| <= z) = 0.95. */
export const Z95 = 1.959963984540054

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

// Acklam's rational approximation (relative error < 1.15e-9); no refinement step, since normalCdf
// above is only good to ~1e-7 and a Halley step through it would make the quantile worse.
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
]
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
]
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]

function poly(c: readonly number[], x: number): number {
  let s = 0
  for (const k of c) s = s * x + k
  return s
}

/** Standard normal quantile (inverse CDF) for p in (0, 1); -Infinity at 0, Infinity at 1, NaN outside. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN
  if (p === 0) return Number.NEGATIVE_INFINITY
  if (p === 1) return Number.POSITIVE_INFINITY
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return poly(C, q) / (poly(D, q) * q + 1)
  }
  if (p <= 1 - low) {
    const q = p - 0.5
    const r = q * q
    return (poly(A, r) * q) / (poly(B, r) * r + 1)
  }
  const q = Math.sqrt(-2 * Math.log(1 - p))
  return -poly(C, q) / (poly(D, q) * q + 1)
}
