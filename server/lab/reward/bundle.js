import { DENSE_FEATURES } from '../../src/scoring/reward/features.js'
import { REWARD_FORMAT, REWARD_TENSOR, sha256, weightBytes } from '../../src/scoring/reward/model.js'
import { writeBundle } from '../bundle.js'
export function buildManifest(features, weights, training, appropriateness) {
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
export function saveModel(dir, manifest, weights) {
  writeBundle(dir, manifest, [{ name: REWARD_TENSOR, weights, encoding: 'f32' }])
}
