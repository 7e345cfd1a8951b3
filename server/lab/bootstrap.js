import { mulberry32 } from '../src/scoring/ml/rng.js'
import { wilson } from '../src/stats/intervals.js'
/** 95% percentile-bootstrap interval of `stat` over n rows (rows resampled with replacement; seeded). */
export function bootstrapCi(n, stat, reps = 400, seed = 7) {
  if (n === 0) return [Number.NaN, Number.NaN]
  const rand = mulberry32(seed)
  const values = []
  const rows = new Array(n)
  for (let b = 0; b < reps; b++) {
    for (let i = 0; i < n; i++) rows[i] = Math.floor(rand() * n)
    values.push(stat(rows))
  }
  values.sort((a, b) => a - b)
  return [values[Math.floor(reps * 0.025)], values[Math.ceil(reps * 0.975) - 1]]
}
/** 95% Wilson interval of a proportion p over n rows (the stats module's, as a pair). */
export function wilsonCi(p, n) {
  if (n === 0) return [0, 1]
  const { lo, hi } = wilson(p * n, n)
  return [lo ?? 0, hi ?? 1]
}
const pick = (xs, idx) => idx.map((i) => xs[i])
/** Bootstrap 95% interval of `metric(pred, gold)` (F1, AUC, ...) over paired rows. */
export function pairedCi(pred, gold, metric) {
  return bootstrapCi(pred.length, (idx) => metric(pick(pred, idx), pick(gold, idx)))
}
