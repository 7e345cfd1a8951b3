import type { SparseVector } from './hash.ts'

/** Inference half of the linear models: the trainers live in server/lab/optim.ts. */
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

export function logRegLogit(m: LogRegModel, x: SparseVector): number {
  return sparseDot(x, m.weights) + m.bias
}

/** Platt scaling: P(y=1) = sigmoid(a * logit + b), fitted on a dev split. */
export interface Platt {
  a: number
  b: number
}

export function applyPlatt(p: Platt, logit: number): number {
  return sigmoid(p.a * logit + p.b)
}
