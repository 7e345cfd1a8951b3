/** Classification metrics. Labels are booleans (positive class = true); scores are any reals. */
import { wilson as statsWilson } from '../src/stats/intervals.js'
export function confusion(pred, gold) {
  if (pred.length !== gold.length) throw new Error('confusion: pred and gold differ in length')
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 }
  for (let i = 0; i < pred.length; i++) {
    if (pred[i]) {
      if (gold[i]) c.tp++
      else c.fp++
    } else if (gold[i]) c.fn++
    else c.tn++
  }
  return c
}
/** Precision, recall and F1 of the positive class; 0 where a ratio is undefined. */
export function precisionRecallF1(pred, gold) {
  const { tp, fp, fn } = confusion(pred, gold)
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
  return { precision, recall, f1 }
}
export function accuracy(pred, gold) {
  if (pred.length !== gold.length) throw new Error('accuracy: pred and gold differ in length')
  if (pred.length === 0) return 0
  let ok = 0
  for (let i = 0; i < pred.length; i++) if (pred[i] === gold[i]) ok++
  return ok / pred.length
}
/** Mean F1 over classes (each class in turn as the positive one). */
export function macroF1(pred, gold, classes) {
  if (classes.length === 0) return 0
  let s = 0
  for (const c of classes) {
    s += precisionRecallF1(
      pred.map((p) => p === c),
      gold.map((g) => g === c),
    ).f1
  }
  return s / classes.length
}
/** ROC AUC by the rank-sum (Mann-Whitney) formula, ties counted half. NaN without both classes. */
export function rocAuc(scores, gold) {
  if (scores.length !== gold.length) throw new Error('rocAuc: scores and gold differ in length')
  const order = scores.map((s, i) => [s, i]).sort((a, b) => a[0] - b[0])
  const ranks = new Float64Array(scores.length)
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++
    const r = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) ranks[order[k][1]] = r
    i = j + 1
  }
  let nPos = 0
  let sumPos = 0
  for (let i = 0; i < gold.length; i++) {
    if (gold[i]) {
      nPos++
      sumPos += ranks[i]
    }
  }
  const nNeg = gold.length - nPos
  if (nPos === 0 || nNeg === 0) return Number.NaN
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg)
}
/** Wilson score interval for a proportion `successes / n` (the stats module's, 95% by default). */
export function wilson(successes, n, z) {
  if (n <= 0) return { lo: 0, hi: 1 }
  const r = statsWilson(successes, n, z)
  return { lo: r.lo ?? 0, hi: r.hi ?? 1 }
}
/** Threshold on a held-in dev set that maximizes F1 (ties: the higher threshold). */
export function bestF1Threshold(scores, gold) {
  const cands = [...new Set(scores)].sort((a, b) => a - b)
  let best = 0.5
  let bestF1 = -1
  for (const t of cands) {
    const { f1 } = precisionRecallF1(
      scores.map((s) => s >= t),
      gold,
    )
    if (f1 >= bestF1) {
      bestF1 = f1
      best = t
    }
  }
  return best
}
