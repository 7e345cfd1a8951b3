import type { SparseVector } from './hash.ts'
import { mulberry32, shuffleInPlace } from './rng.ts'

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

export interface LogRegModel {
  /** Dense weights, length dim. */
  weights: Float32Array
  bias: number
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z))
  const e = Math.exp(z)
  return e / (1 + e)
}

export function sparseDot(x: SparseVector, w: Float32Array | Float64Array): number {
  let s = 0
  for (let k = 0; k < x.idx.length; k++) s += (x.val[k] as number) * (w[x.idx[k] as number] as number)
  return s
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

export function logRegLogit(m: LogRegModel, x: SparseVector): number {
  return sparseDot(x, m.weights) + m.bias
}

/** Platt scaling: P(y=1) = sigmoid(a * logit + b), fitted on a dev split. */
export interface Platt {
  a: number
  b: number
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

export function applyPlatt(p: Platt, logit: number): number {
  return sigmoid(p.a * logit + p.b)
}
