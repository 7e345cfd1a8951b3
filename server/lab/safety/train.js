import crypto from 'node:crypto'
import { SafetyModel } from '../../src/scoring/safety/model.js'
import { writeBundle } from '../ml.js'
import { evaluateSafetyModel } from './eval.js'
import { trainSafety } from './training.js'
/**
 * Trains the shipped safety classifiers from the public data and writes the weights bundle
 * (`npm run leash -- train safety`). Deterministic (seeded); the held-out metrics go into the manifest.
 */
export async function trainSafetyBundle(dataDir, outDir, log, seed) {
  const started = Date.now()
  const trained = trainSafety(dataDir, log, seed)
  // The version is a content hash of the weights and calibration, so a retrain that changes nothing keeps it.
  const hash = crypto.createHash('sha256')
  for (const t of trained.tensors) hash.update(Buffer.from(t.weights.buffer))
  hash.update(
    JSON.stringify([
      trained.manifest.refusal,
      trained.manifest.promptRisk,
      trained.manifest.violation,
      trained.manifest.violationAny,
    ]),
  )
  trained.manifest.version = `safety-${trained.manifest.featuresVersion}-${hash.digest('hex').slice(0, 10)}`
  writeBundle(outDir, trained.manifest, trained.tensors, { encoding: 'q8' })
  log(
    `wrote ${outDir} (${trained.manifest.version}) in ${((Date.now() - started) / 1000).toFixed(1)}s; evaluating`,
  )
  const results = evaluateSafetyModel(SafetyModel.load(outDir), dataDir)
  writeBundle(outDir, { ...trained.manifest, metrics: { heldOut: results } }, trained.tensors, {
    encoding: 'q8',
  })
  for (const r of results) {
    const base = r.baseline ? `  (${r.baseline.name}: ${r.baseline.value})` : ''
    log(
      `${r.metric} | ${r.dataset} | ${r.rows} rows | ${r.measure} ${r.value}${base}${r.note ? `  [${r.note}]` : ''}`,
    )
  }
}
