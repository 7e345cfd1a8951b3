import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { writeBundle } from '../ml/index.ts'
import { evaluateSafetyModel } from './eval.ts'
import { SafetyModel } from './model.ts'
import { trainSafety } from './training.ts'

/**
 * Trains the shipped safety classifiers from the public data and writes the weights bundle:
 *   npx tsx server/src/scoring/safety/train.ts --data ../shared/data --out server/models/safety
 * Deterministic (seeded); progress on stderr; the held-out metrics are recorded in the manifest.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '../shared/data' },
      out: { type: 'string', default: 'server/models/safety' },
      seed: { type: 'string' },
    },
  })
  const dataDir = path.resolve(values.data ?? '../shared/data')
  const outDir = path.resolve(values.out ?? 'server/models/safety')
  if (!fs.existsSync(dataDir)) throw new Error(`data folder not found: ${dataDir}`)
  const log = (msg: string) => process.stderr.write(`${msg}\n`)
  const started = Date.now()
  const seed = values.seed === undefined ? undefined : Number(values.seed)
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

main().catch((err: unknown) => {
  process.stderr.write(`train failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
