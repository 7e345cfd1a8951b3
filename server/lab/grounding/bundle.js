import { writeBundle } from '../bundle.js'
/** Writes the grounding models as one weights bundle (Float32 weights; metadata and bias in the manifest). */
export function saveGroundingModels(dir, models) {
  const manifest = { format: 'leash-grounding/2', models: {} }
  const tensors = []
  for (const [key, m] of Object.entries(models)) {
    const { weights, ...meta } = m
    manifest.models[key] = meta
    tensors.push({ name: key, weights: Float32Array.from(weights), encoding: 'f32' })
  }
  writeBundle(dir, manifest, tensors)
}
