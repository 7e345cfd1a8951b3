import type { GroundingManifest, LinearModel } from '../../src/scoring/grounding/model.ts'
import { writeBundle } from '../bundle.ts'

/** Writes the grounding models as one weights bundle (Float32 weights; metadata and bias in the manifest). */
export function saveGroundingModels(dir: string, models: Record<string, LinearModel>): void {
  const manifest: GroundingManifest = { format: 'leash-grounding/2', models: {} }
  const tensors: { name: string; weights: Float32Array; encoding: 'f32' }[] = []
  for (const [key, m] of Object.entries(models)) {
    const { weights, ...meta } = m
    manifest.models[key] = meta
    tensors.push({ name: key, weights: Float32Array.from(weights), encoding: 'f32' })
  }
  writeBundle(dir, manifest, tensors)
}
