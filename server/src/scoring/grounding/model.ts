import { readFileSync } from 'node:fs'
import { FEATURE_NAMES, type Features } from './align.ts'
import { HALU_FEATURES } from './halu.ts'

/** A small dense logistic model as shipped in `server/models/grounding/*.json`. */
export interface LinearModel {
  name: string
  version: string
  /** Which data trained it, with licenses; printed on the scorer card. */
  trainedOn: string
  features: string[]
  weights: number[]
  bias: number
  /** Decision threshold chosen on the training data's own dev split. */
  threshold: number
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))
}

export function predict(m: LinearModel, x: readonly number[]): number {
  let z = m.bias
  for (let i = 0; i < m.weights.length; i++) z += (m.weights[i] as number) * (x[i] ?? 0)
  return sigmoid(z)
}

/** On disk, weights are keyed by feature name (readable, and stable under JSON formatters). */
export interface LinearModelFile extends Omit<LinearModel, 'weights'> {
  weights: Record<string, number>
}

export function toFile(m: LinearModel): LinearModelFile {
  return { ...m, weights: Object.fromEntries(m.features.map((f, i) => [f, m.weights[i] ?? 0])) }
}

const cache = new Map<string, LinearModel>()

export function modelUrl(file: string): URL {
  return new URL(`../../../models/grounding/${file}`, import.meta.url)
}

export function loadModel(file: string, expected: readonly string[]): LinearModel {
  const hit = cache.get(file)
  if (hit) return hit
  const f = JSON.parse(readFileSync(modelUrl(file), 'utf8')) as LinearModelFile
  if (f.features.length !== expected.length || f.features.some((name, i) => name !== expected[i])) {
    throw new Error(`grounding model ${file} was trained on other features; retrain it`)
  }
  const m: LinearModel = { ...f, weights: f.features.map((name) => f.weights[name] ?? 0) }
  cache.set(file, m)
  return m
}

export function supportModel(): LinearModel {
  return loadModel('support.json', FEATURE_NAMES)
}

export function supportModelBeginOnly(): LinearModel {
  return loadModel('support-begin.json', FEATURE_NAMES)
}

/** P(the source supports the claim) from alignment features. */
export function supportProbability(x: Features): number {
  return predict(supportModel(), x)
}

export function haluModel(): LinearModel {
  return loadModel('halu.json', HALU_FEATURES)
}
