import type { SparseVector } from '../src/scoring/ml/hash.ts'
import { type LogRegModel, type Platt, sigmoid, sparseDot } from '../src/scoring/ml/logreg.ts'
import { mulberry32, shuffleInPlace } from '../src/scoring/ml/rng.ts'

/**
 * The lab's one optimiser module: every shipped linear model is fitted here. L-BFGS for smooth convex
 * objectives (reward Bradley-Terry, dense logistic heads), Adagrad SGD for sparse hashed logistic heads,
 * Newton for Platt calibration. Deterministic: randomness only from seeded generators.
 */
/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives such as
 * L2-regularised Bradley-Terry. Deterministic: no randomness, fixed iteration order.
 */
export interface LbfgsOptions {
  maxIterations: number
  memory: number
  /** Stop when the gradient's max-norm falls below this. */
  tolerance: number
  onIteration?: (iteration: number, w: Float64Array, f: number) => void
}

export type Objective = (w: Float64Array, grad: Float64Array) => number

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number)
  return s
}

export function minimizeLbfgs(objective: Objective, w0: Float64Array, opts: LbfgsOptions): Float64Array {
  const n = w0.length
  let w = Float64Array.from(w0)
  let g = new Float64Array(n)
  let f = objective(w, g)
  const sHist: Float64Array[] = []
  const yHist: Float64Array[] = []
  const rhoHist: number[] = []
  const dir = new Float64Array(n)
  const alpha = new Float64Array(opts.memory)
  for (let iter = 1; iter <= opts.maxIterations; iter++) {
    // Two-loop recursion: dir = -H * g
    dir.set(g)
    for (let k = sHist.length - 1; k >= 0; k--) {
      const a = (rhoHist[k] as number) * dotv(sHist[k] as Float64Array, dir)
      alpha[k] = a
      const y = yHist[k] as Float64Array
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) - a * (y[i] as number)
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1
      const y = yHist[last] as Float64Array
      const gamma = dotv(sHist[last] as Float64Array, y) / dotv(y, y)
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) * gamma
    }
    for (let k = 0; k < sHist.length; k++) {
      const s = sHist[k] as Float64Array
      const b = (rhoHist[k] as number) * dotv(yHist[k] as Float64Array, dir)
      const coef = (alpha[k] as number) - b
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) + coef * (s[i] as number)
    }
    for (let i = 0; i < n; i++) dir[i] = -(dir[i] as number)
    let slope = dotv(g, dir)
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      for (let i = 0; i < n; i++) dir[i] = -(g[i] as number)
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
      for (let i = 0; i < n; i++) wNext[i] = (w[i] as number) + step * (dir[i] as number)
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
      s[i] = (wNext[i] as number) - (w[i] as number)
      y[i] = (gNext[i] as number) - (g[i] as number)
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
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i] as number))
    if (gmax < opts.tolerance) break
  }
  return w
}

/**
 * L2-regularized binary logistic regression over sparse hashed features, trained with Adagrad SGD.
 * Deterministic: the only randomness is the epoch shuffle, drawn from a seeded generator.
 */
export interface LogRegOptions {
  dim: number
  epochs?: number
  /** Adagrad base learning rate. */
  lr?: number
  /** L2 penalty per example (lambda / n style): applied to the touched weights at each step. */
  l2?: number
  seed?: number
  /** Weight of positive examples relative to negatives; 'balanced' = n_neg / n_pos. */
  positiveWeight?: number | 'balanced'
  /** Per-example weights (e.g. to balance sources); defaults to 1. */
  sampleWeights?: readonly number[]
  onEpoch?: (epoch: number, loss: number) => void
}

export function trainLogReg(
  xs: readonly SparseVector[],
  ys: readonly number[],
  opts: LogRegOptions,
): LogRegModel {
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
      const x = xs[i] as SparseVector
      const y = ys[i] as number
      const sw = (opts.sampleWeights?.[i] ?? 1) * (y > 0.5 ? posW : 1)
      const p = sigmoid(sparseDot(x, w) + b)
      loss += -sw * (y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12))
      const g = sw * (p - y)
      for (let k = 0; k < x.idx.length; k++) {
        const j = x.idx[k] as number
        const wj = w[j] as number
        const gj = g * (x.val[k] as number) + l2 * wj
        const acc = (g2[j] as number) + gj * gj
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
export function fitPlatt(logits: readonly number[], ys: readonly number[]): Platt {
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
      const z = logits[i] as number
      const t = (ys[i] as number) > 0.5 ? tPos : tNeg
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
export function fitDense(
  xs: number[][],
  ys: boolean[],
  l2 = 1e-3,
  iters = 3000,
  lr = 0.5,
  sampleWeights?: readonly number[],
): { w: number[]; b: number } {
  const d = xs[0]?.length ?? 0
  const w = new Array<number>(d).fill(0)
  let b = 0
  const n = sampleWeights ? sampleWeights.reduce((a, b) => a + b, 0) : xs.length
  const rows = xs.length
  for (let it = 0; it < iters; it++) {
    const gw = new Array<number>(d).fill(0)
    let gb = 0
    for (let i = 0; i < rows; i++) {
      const x = xs[i] as number[]
      let z = b
      for (let k = 0; k < d; k++) z += (w[k] as number) * (x[k] as number)
      const p = sigmoid(z)
      const g = (p - (ys[i] ? 1 : 0)) * (sampleWeights?.[i] ?? 1)
      for (let k = 0; k < d; k++) gw[k] = (gw[k] as number) + g * (x[k] as number)
      gb += g
    }
    for (let k = 0; k < d; k++) w[k] = (w[k] as number) - lr * ((gw[k] as number) / n + l2 * (w[k] as number))
    b -= (lr * gb) / n
  }
  return { w, b }
}
