import { sigmoid, sparseDot } from '../src/scoring/ml/logreg.js'
import { mulberry32, shuffleInPlace } from '../src/scoring/ml/rng.js'

function dotv(a, b) {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}
export function minimizeLbfgs(objective, w0, opts) {
  const n = w0.length
  let w = Float64Array.from(w0)
  let g = new Float64Array(n)
  let f = objective(w, g)
  const sHist = []
  const yHist = []
  const rhoHist = []
  const dir = new Float64Array(n)
  const alpha = new Float64Array(opts.memory)
  for (let iter = 1; iter <= opts.maxIterations; iter++) {
    // Two-loop recursion: dir = -H * g
    dir.set(g)
    for (let k = sHist.length - 1; k >= 0; k--) {
      const a = rhoHist[k] * dotv(sHist[k], dir)
      alpha[k] = a
      const y = yHist[k]
      for (let i = 0; i < n; i++) dir[i] = dir[i] - a * y[i]
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1
      const y = yHist[last]
      const gamma = dotv(sHist[last], y) / dotv(y, y)
      for (let i = 0; i < n; i++) dir[i] = dir[i] * gamma
    }
    for (let k = 0; k < sHist.length; k++) {
      const s = sHist[k]
      const b = rhoHist[k] * dotv(yHist[k], dir)
      const coef = alpha[k] - b
      for (let i = 0; i < n; i++) dir[i] = dir[i] + coef * s[i]
    }
    for (let i = 0; i < n; i++) dir[i] = -dir[i]
    let slope = dotv(g, dir)
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      for (let i = 0; i < n; i++) dir[i] = -g[i]
      slope = dotv(g, dir)
      sHist.length = 0
      yHist.length = 0
      rhoHist.length = 0
    }
    let step = sHist.length === 0 ? 1 / Math.max(Math.sqrt(dotv(g, g)), 1e-12) : 1
    const wNext = new Float64Array(n)
    const gNext = new Float64Array(n)
    let fNext = f
    let accepted = false
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) wNext[i] = w[i] + step * dir[i]
      fNext = objective(wNext, gNext)
      if (fNext <= f + 1e-4 * step * slope) {
        accepted = true
        break
      }
      step *= 0.5
    }
    if (!accepted) break
    const s = new Float64Array(n)
    const y = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      s[i] = wNext[i] - w[i]
      y[i] = gNext[i] - g[i]
    }
    const sy = dotv(s, y)
    if (sy > 1e-12) {
      sHist.push(s)
      yHist.push(y)
      rhoHist.push(1 / sy)
      if (sHist.length > opts.memory) {
        sHist.shift()
        yHist.shift()
        rhoHist.shift()
      }
    }
    w = wNext
    g = gNext
    f = fNext
    opts.onIteration?.(iter, w, f)
    let gmax = 0
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]))
    if (gmax < opts.tolerance) break
  }
  return w
}
export function trainLogReg(xs, ys, opts) {
  if (xs.length !== ys.length) throw new Error('trainLogReg: xs and ys differ in length')
  if (xs.length === 0) throw new Error('trainLogReg: no examples')
  const epochs = opts.epochs ?? 8
  const lr = opts.lr ?? 0.3
  const l2 = opts.l2 ?? 1e-4
  const nPos = ys.filter((y) => y > 0.5).length
  const posW =
    opts.positiveWeight === 'balanced'
      ? nPos > 0 && nPos < ys.length
        ? (ys.length - nPos) / nPos
        : 1
      : (opts.positiveWeight ?? 1)
  const w = new Float64Array(opts.dim)
  const g2 = new Float64Array(opts.dim)
  let b = 0
  let gb2 = 0
  const order = xs.map((_, i) => i)
  const rand = mulberry32(opts.seed ?? 1)
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, rand)
    let loss = 0
    for (const i of order) {
      const x = xs[i]
      const y = ys[i]
      const sw = (opts.sampleWeights?.[i] ?? 1) * (y > 0.5 ? posW : 1)
      const p = sigmoid(sparseDot(x, w) + b)
      loss += -sw * (y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12))
      const g = sw * (p - y)
      for (let k = 0; k < x.idx.length; k++) {
        const j = x.idx[k]
        const wj = w[j]
        const gj = g * x.val[k] + l2 * wj
        const acc = g2[j] + gj * gj
        g2[j] = acc
        w[j] = wj - (lr * gj) / Math.sqrt(acc + 1e-8)
      }
      gb2 += g * g
      b -= (lr * g) / Math.sqrt(gb2 + 1e-8)
    }
    opts.onEpoch?.(epoch, loss / xs.length)
  }
  return { weights: Float32Array.from(w), bias: b }
}
/**
 * Fits Platt's sigmoid by Newton's method with Platt's smoothed targets (so a separable dev set
 * doesn't send `a` to infinity).
 */
export function fitPlatt(logits, ys) {
  const nPos = ys.filter((y) => y > 0.5).length
  const nNeg = ys.length - nPos
  const tPos = (nPos + 1) / (nPos + 2)
  const tNeg = 1 / (nNeg + 2)
  let a = 1
  let b = 0
  for (let iter = 0; iter < 100; iter++) {
    let gA = 0
    let gB = 0
    let hAA = 1e-9
    let hAB = 0
    let hBB = 1e-9
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i]
      const t = ys[i] > 0.5 ? tPos : tNeg
      const p = sigmoid(a * z + b)
      const d = p - t
      const v = p * (1 - p)
      gA += d * z
      gB += d
      hAA += v * z * z
      hAB += v * z
      hBB += v
    }
    const det = hAA * hBB - hAB * hAB
    if (Math.abs(det) < 1e-12) break
    const dA = (hBB * gA - hAB * gB) / det
    const dB = (hAA * gB - hAB * gA) / det
    a -= dA
    b -= dB
    if (Math.abs(dA) + Math.abs(dB) < 1e-9) break
  }
  return { a, b }
}
/** Full-batch gradient descent on a small dense logistic model (L2); deterministic. */
export function fitDense(xs, ys, l2 = 1e-3, iters = 3000, lr = 0.5, sampleWeights) {
  const d = xs[0]?.length ?? 0
  const w = new Array(d).fill(0)
  let b = 0
  const n = sampleWeights ? sampleWeights.reduce((a, b) => a + b, 0) : xs.length
  const rows = xs.length
  for (let it = 0; it < iters; it++) {
    const gw = new Array(d).fill(0)
    let gb = 0
    for (let i = 0; i < rows; i++) {
      const x = xs[i]
      let z = b
      for (let k = 0; k < d; k++) z += w[k] * x[k]
      const p = sigmoid(z)
      const g = (p - (ys[i] ? 1 : 0)) * (sampleWeights?.[i] ?? 1)
      for (let k = 0; k < d; k++) gw[k] = gw[k] + g * x[k]
      gb += g
    }
    for (let k = 0; k < d; k++) w[k] = w[k] - lr * (gw[k] / n + l2 * w[k])
    b -= (lr * gb) / n
  }
  return { w, b }
}
