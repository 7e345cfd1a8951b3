import { featureCount, featurize, ignoredAtScoring } from '../../src/scoring/reward/features.js'
import { minimizeLbfgs } from '../optim.js'
export const DEFAULT_FEATURES = {
  hashBits: 16,
  wordNgrams: 2,
  charNgrams: null,
  promptCross: true,
  promptMarkerCross: false,
  dense: true,
  denseScale: 3,
}
/** The shipped model's learned part is length-debiased (its appropriateness term: appropriateness.ts). */
export const SHIPPED_FEATURES = { ...DEFAULT_FEATURES, lengthDebiased: true }
/** The weights as scoring uses them (a length-debiased model drops its length weights). */
function servingWeights(config, w) {
  const ignored = ignoredAtScoring(config)
  if (ignored.length === 0) return w
  const out = Float64Array.from(w)
  for (const i of ignored) out[i] = 0
  return out
}
export const DEFAULT_L2 = [3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
export const DEFAULT_MAX_ITERATIONS = 150
function dot(w, v) {
  let s = 0
  for (let k = 0; k < v.idx.length; k++) s += w[v.idx[k]] * v.val[k]
  return s
}
function softplus(x) {
  return x > 30 ? x : Math.log1p(Math.exp(x))
}
export function featurizePairs(config, pairs) {
  return pairs.map((p) => ({
    chosen: featurize(config, p.prompt, p.chosen),
    rejected: featurize(config, p.prompt, p.rejected),
  }))
}
/** Mean BT loss and pairwise accuracy (ties count one half). */
export function evaluateExamples(w, examples) {
  let loss = 0
  let correct = 0
  for (const ex of examples) {
    const m = dot(w, ex.chosen) - dot(w, ex.rejected)
    loss += softplus(-m)
    correct += m > 0 ? 1 : m === 0 ? 0.5 : 0
  }
  const n = Math.max(examples.length, 1)
  return { loss: loss / n, accuracy: correct / n }
}
function fit(trainEx, devEx, dims, l2, opts) {
  const inv = 1 / trainEx.length
  const objective = (w, grad) => {
    let f = 0
    for (let i = 0; i < dims; i++) {
      const wi = w[i]
      grad[i] = l2 * wi
      f += 0.5 * l2 * wi * wi
    }
    for (const ex of trainEx) {
      const m = dot(w, ex.chosen) - dot(w, ex.rejected)
      f += softplus(-m) * inv
      const g = (-1 / (1 + Math.exp(m))) * inv
      const { chosen: c, rejected: r } = ex
      for (let k = 0; k < c.idx.length; k++) {
        const i = c.idx[k]
        grad[i] = grad[i] + g * c.val[k]
      }
      for (let k = 0; k < r.idx.length; k++) {
        const i = r.idx[k]
        grad[i] = grad[i] - g * r.val[k]
      }
    }
    return f
  }
  let iterations = 0
  const w = minimizeLbfgs(objective, new Float64Array(dims), {
    maxIterations: opts.maxIterations,
    memory: 10,
    tolerance: 1e-6,
    onIteration: (iteration, wi) => {
      iterations = iteration
      if (opts.onProgress && (iteration % 10 === 0 || iteration === 1)) {
        const t = evaluateExamples(wi, trainEx)
        const d = evaluateExamples(wi, devEx)
        opts.onProgress({ l2, iteration, trainLoss: t.loss, devLoss: d.loss, devAccuracy: d.accuracy })
      }
    },
  })
  return { w, iterations }
}
export function trainReward(train, dev, opts) {
  if (train.length === 0) throw new Error('no training pairs')
  if (opts.l2.length === 0) throw new Error('no L2 strength given')
  if (opts.l2.length > 1 && dev.length === 0) throw new Error('choosing the L2 strength needs dev pairs')
  const dims = featureCount(opts.features)
  const trainEx = featurizePairs(opts.features, train)
  const devEx = featurizePairs(opts.features, dev)
  const search = []
  let best = null
  for (const l2 of opts.l2) {
    const fitted = fit(trainEx, devEx, dims, l2, opts)
    const { iterations } = fitted
    const w = servingWeights(opts.features, fitted.w)
    const d = evaluateExamples(w, devEx)
    search.push({
      l2,
      devLoss: d.loss,
      devAccuracy: d.accuracy,
      trainAccuracy: evaluateExamples(w, trainEx).accuracy,
    })
    if (!best || d.loss < best.devLoss) best = { w, l2, iterations, devLoss: d.loss }
  }
  const chosen = best
  const finalDev = evaluateExamples(chosen.w, devEx)
  return {
    weights: Float32Array.from(chosen.w),
    l2: chosen.l2,
    iterations: chosen.iterations,
    trainAccuracy: evaluateExamples(chosen.w, trainEx).accuracy,
    devAccuracy: finalDev.accuracy,
    devLoss: finalDev.loss,
    search,
  }
}
