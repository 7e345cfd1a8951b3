import { DENSE_FEATURES, type FeatureConfig } from '../../src/scoring/reward/features.ts'
import {
  REWARD_FORMAT,
  REWARD_TENSOR,
  type RewardManifest,
  sha256,
  type TrainingRecord,
  weightBytes,
} from '../../src/scoring/reward/model.ts'
import { writeBundle } from '../bundle.ts'

export function buildManifest(
  features: FeatureConfig,
  weights: Float32Array,
  training: TrainingRecord,
  appropriateness?: RewardManifest['appropriateness'],
): RewardManifest {
  const bytes = weightBytes(weights)
  const weightsSha256 = sha256(bytes)
  // The composite's scores change with its safety classifiers and term weight: both are hashed in.
  const term = appropriateness ? JSON.stringify(appropriateness) : ''
  return {
    format: REWARD_FORMAT,
    version: `lin-${sha256(JSON.stringify(features) + weightsSha256 + term).slice(0, 12)}`,
    ...(appropriateness ? { appropriateness } : {}),
    features,
    denseFeatures: features.dense ? DENSE_FEATURES : [],
    weightsSha256,
    dims: weights.length,
    training,
  }
}

/** Writes the model as a weights bundle (dense Float32: a BT model fills its hashed space). */
export function saveModel(dir: string, manifest: RewardManifest, weights: Float32Array): void {
  writeBundle(dir, manifest, [{ name: REWARD_TENSOR, weights, encoding: 'f32' }])
}
