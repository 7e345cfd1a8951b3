import { createHash } from 'node:crypto'
import path from 'node:path'
import { type BundleManifest, MANIFEST_FILE, readBundle } from '../ml/bundle.ts'
import { type Appraiser, appropriateness } from './appraiser.ts'
import { type FeatureConfig, featureCount, forEachFeature, ignoredAtScoring } from './features.ts'

/** Version 2 lives in the shared weights bundle (manifest.json + weights.bin, tensor `weights`). */
export const REWARD_FORMAT = 'leash-reward-linear/2'
export const REWARD_TENSOR = 'weights'

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
  format: typeof REWARD_FORMAT
  /** `lin-` + the first 12 hex digits of sha256(feature config + weights): changes whenever the scores can. */
  version: string
  features: FeatureConfig
  denseFeatures: readonly string[]
  /** sha256 of the weights as little-endian Float32 bytes: the version hashes it. */
  weightsSha256: string
  dims: number
  /**
   * The composite's appropriateness term: score = linear + weight x appropriateness(safety classifiers).
   * `safetyVersion` names the classifiers the weight was chosen with.
   */
  appropriateness?: { weight: number; safetyVersion: string }
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
  trained: Float32Array,
): (prompt: string, response: string) => number {
  const ignored = ignoredAtScoring(config)
  const weights = ignored.length > 0 ? Float32Array.from(trained) : trained
  for (const i of ignored) weights[i] = 0
  return (prompt, response) => {
    let s = 0
    forEachFeature(config, prompt, response, (i, v) => {
      s += (weights[i] as number) * v
    })
    return s
  }
}

export function makeModel(
  manifest: RewardManifest,
  weights: Float32Array,
  appraiser?: Appraiser,
): LinearRewardModel {
  const linear = linearScore(manifest.features, weights)
  const term = manifest.appropriateness
  if (!term) return { manifest, weights, score: linear }
  if (!appraiser) throw new RewardModelError('this reward model needs the safety classifiers to score')
  const w = term.weight
  return {
    manifest,
    weights,
    score: (prompt, response) =>
      linear(prompt, response) + w * appropriateness(appraiser.appraise(prompt, response)),
  }
}

export function sha256(buf: Uint8Array | string): string {
  return createHash('sha256').update(buf).digest('hex')
}

export function weightBytes(weights: Float32Array): Buffer {
  const buf = Buffer.alloc(weights.length * 4)
  for (let i = 0; i < weights.length; i++) buf.writeFloatLE(weights[i] as number, i * 4)
  return buf
}

export class RewardModelError extends Error {
  override name = 'RewardModelError'
}

/** Loads and checks a model folder (a weights bundle); every problem is a RewardModelError naming the file. */
export async function loadModel(dir: string, appraiser?: Appraiser): Promise<LinearRewardModel> {
  const manifestPath = path.join(dir, MANIFEST_FILE)
  let bundle: ReturnType<typeof readBundle<RewardManifest>>
  try {
    bundle = readBundle<RewardManifest>(dir)
  } catch (err) {
    throw new RewardModelError(`cannot read reward model ${dir}: ${(err as Error).message}`)
  }
  const manifest: RewardManifest & BundleManifest = bundle.manifest
  if (manifest.format !== REWARD_FORMAT) {
    throw new RewardModelError(
      `${manifestPath}: unsupported format '${String(manifest.format)}' (expected ${REWARD_FORMAT})`,
    )
  }
  const weights = bundle.tensors.get(REWARD_TENSOR)
  const dims = featureCount(manifest.features)
  if (!weights || weights.length !== dims || manifest.dims !== dims) {
    throw new RewardModelError(`${dir}: ${weights?.length ?? 0} weights, the feature config needs ${dims}`)
  }
  if (sha256(weightBytes(weights)) !== manifest.weightsSha256)
    throw new RewardModelError(`${dir}: weights sha256 does not match manifest`)
  const term = manifest.appropriateness
  if (term && appraiser && term.safetyVersion !== appraiser.version) {
    throw new RewardModelError(
      `${dir}: built with safety classifiers ${term.safetyVersion}, these are ${appraiser.version}: retrain (leash train reward)`,
    )
  }
  return makeModel(manifest, weights, appraiser)
}
