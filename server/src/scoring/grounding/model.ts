import { fileURLToPath } from 'node:url'
import { readBundle } from '../ml/bundle.ts'
import { sigmoid } from '../ml/logreg.ts'
import { FEATURE_NAMES, type Features } from './align.ts'
import { HALU_FEATURES } from './halu.ts'

/** A small dense logistic model; its weights are one tensor of `server/models/grounding/`'s bundle. */
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

/** The bundle's manifest: every model's metadata by key (`support`, `support-begin`, `halu`). */
export interface GroundingManifest {
  format: 'leash-grounding/2'
  models: Record<string, Omit<LinearModel, 'weights'>>
}

export const GROUNDING_DIR = fileURLToPath(new URL('../../../models/grounding/', import.meta.url))

export function predict(m: LinearModel, x: readonly number[]): number {
  let z = m.bias
  for (let i = 0; i < m.weights.length; i++) z += (m.weights[i] as number) * (x[i] ?? 0)
  return sigmoid(z)
}

let cache: Map<string, LinearModel> | undefined

function loadAll(dir: string): Map<string, LinearModel> {
  const { manifest, tensors } = readBundle<GroundingManifest>(dir)
  const out = new Map<string, LinearModel>()
  for (const [key, meta] of Object.entries(manifest.models)) {
    const w = tensors.get(key)
    if (!w) throw new Error(`grounding bundle ${dir}: no tensor for model ${key}`)
    out.set(key, { ...meta, weights: Array.from(w) })
  }
  return out
}

export function loadModel(key: string, expected: readonly string[]): LinearModel {
  cache ??= loadAll(GROUNDING_DIR)
  const m = cache.get(key)
  if (!m) throw new Error(`grounding model ${key} is missing from ${GROUNDING_DIR}; retrain it`)
  if (m.features.length !== expected.length || m.features.some((name, i) => name !== expected[i])) {
    throw new Error(`grounding model ${key} was trained on other features; retrain it`)
  }
  return m
}

export function supportModel(): LinearModel {
  return loadModel('support', FEATURE_NAMES)
}

export function supportModelBeginOnly(): LinearModel {
  return loadModel('support-begin', FEATURE_NAMES)
}

/** P(the source supports the claim) from alignment features. */
export function supportProbability(x: Features): number {
  return predict(supportModel(), x)
}

export function haluModel(): LinearModel {
  return loadModel('halu', HALU_FEATURES)
}
