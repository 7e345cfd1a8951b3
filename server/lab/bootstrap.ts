import { mulberry32 } from '../src/scoring/ml/rng.ts'
import { wilson } from '../src/stats/intervals.ts'

/** 95% percentile-bootstrap interval of `stat` over n rows (rows resampled with replacement; seeded). */
export function bootstrapCi(
  n: number,
  stat: (rows: readonly number[]) => number,
  reps = 400,
  seed = 7,
): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN]
  const rand = mulberry32(seed)
  const values: number[] = []
  const rows = new Array<number>(n)
  for (let b = 0; b < reps; b++) {
    for (let i = 0; i < n; i++) rows[i] = Math.floor(rand() * n)
    values.push(stat(rows))
  }
  values.sort((a, b) => a - b)
  return [values[Math.floor(reps * 0.025)] as number, values[Math.ceil(reps * 0.975) - 1] as number]
}

/** 95% Wilson interval of a proportion p over n rows (the stats module's, as a pair). */
export function wilsonCi(p: number, n: number): [number, number] {
  if (n === 0) return [0, 1]
  const { lo, hi } = wilson(p * n, n)
  return [lo ?? 0, hi ?? 1]
}

const pick = <T>(xs: readonly T[], idx: readonly number[]): T[] => idx.map((i) => xs[i] as T)

/** Bootstrap 95% interval of `metric(pred, gold)` (F1, AUC, ...) over paired rows. */
export function pairedCi<P, G>(
  pred: readonly P[],
  gold: readonly G[],
  metric: (p: P[], g: G[]) => number,
): [number, number] {
  return bootstrapCi(pred.length, (idx) => metric(pick(pred, idx), pick(gold, idx)))
}
