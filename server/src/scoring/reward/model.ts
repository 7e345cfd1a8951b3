import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { DENSE_FEATURES, type FeatureConfig, featureCount, forEachFeature } from './features.ts'

export const MANIFEST_FILE = 'manifest.json'
export const WEIGHTS_FILE = 'weights.f32'
const FORMAT = 'leash-reward-linear/1'

/** What the trainer knew when it wrote the weights; kept next to them for the record. */
export interface TrainingRecord {
  pairsFile: string
  trainPairs: number
  devPairs: number
  devFrom: string
  sources: Record<string, number>
  seed: number
  l2: number
  iterations: number
  maxIterations: number
  trainAccuracy: number
  devAccuracy: number
  devLoss: number
}

export interface RewardManifest {
  format: typeof FORMAT
  /** `lin-` + the first 12 hex digits of sha256(feature config + weights): changes whenever the scores can. */
  version: string
  features: FeatureConfig
  denseFeatures: readonly string[]
  weightsFile: string
  weightsSha256: string
  dims: number
  training: TrainingRecord
}

export interface LinearRewardModel {
  manifest: RewardManifest
  weights: Float32Array
  /** Score of one response to a prompt (unbounded; higher = preferred). */
  score(prompt: string, response: string): number
}

/** The score function of a weight vector: a sparse dot product over the features, nothing materialised. */
export function linearScore(
  config: FeatureConfig,
  weights: Float32Array,
): (prompt: string, response: string) => number {
  return (prompt, response) => {
    let s = 0
    forEachFeature(config, prompt, response, (i, v) => {
      s += (weights[i] as number) * v
    })
    return s
  }
}

export function makeModel(manifest: RewardManifest, weights: Float32Array): LinearRewardModel {
  return { manifest, weights, score: linearScore(manifest.features, weights) }
}

function sha256(buf: Uint8Array | string): string {
  return createHash('sha256').update(buf).digest('hex')
}

function weightBytes(weights: Float32Array): Buffer {
  const buf = Buffer.alloc(weights.length * 4)
  for (let i = 0; i < weights.length; i++) buf.writeFloatLE(weights[i] as number, i * 4)
  return buf
}

export function buildManifest(
  features: FeatureConfig,
  weights: Float32Array,
  training: TrainingRecord,
): RewardManifest {
  const bytes = weightBytes(weights)
  const weightsSha256 = sha256(bytes)
  return {
    format: FORMAT,
    version: `lin-${sha256(JSON.stringify(features) + weightsSha256).slice(0, 12)}`,
    features,
    denseFeatures: features.dense ? DENSE_FEATURES : [],
    weightsFile: WEIGHTS_FILE,
    weightsSha256,
    dims: weights.length,
    training,
  }
}

export async function saveModel(dir: string, manifest: RewardManifest, weights: Float32Array): Promise<void> {
  await fs.mkdir(dir, { recursive: true })
  await fs.writeFile(path.join(dir, manifest.weightsFile), weightBytes(weights))
  await fs.writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
}

export class RewardModelError extends Error {
  override name = 'RewardModelError'
}

/** Loads and checks a model folder (manifest.json + weights); every problem is a RewardModelError naming the file. */
export async function loadModel(dir: string): Promise<LinearRewardModel> {
  const manifestPath = path.join(dir, MANIFEST_FILE)
  let manifest: RewardManifest
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as RewardManifest
  } catch (err) {
    throw new RewardModelError(`cannot read reward model manifest ${manifestPath}: ${(err as Error).message}`)
  }
  if (manifest.format !== FORMAT) {
    throw new RewardModelError(
      `${manifestPath}: unsupported format '${String(manifest.format)}' (expected ${FORMAT})`,
    )
  }
  const weightsPath = path.join(dir, manifest.weightsFile)
  let bytes: Buffer
  try {
    bytes = await fs.readFile(weightsPath)
  } catch (err) {
    throw new RewardModelError(`cannot read reward model weights ${weightsPath}: ${(err as Error).message}`)
  }
  if (sha256(bytes) !== manifest.weightsSha256)
    throw new RewardModelError(`${weightsPath}: sha256 does not match manifest`)
  const dims = featureCount(manifest.features)
  if (bytes.length !== dims * 4 || manifest.dims !== dims) {
    throw new RewardModelError(
      `${weightsPath}: ${bytes.length / 4} weights, the feature config needs ${dims}`,
    )
  }
  const weights = new Float32Array(dims)
  for (let i = 0; i < dims; i++) weights[i] = bytes.readFloatLE(i * 4)
  return makeModel(manifest, weights)
}
