import path from 'node:path'
import { parseArgs } from 'node:util'
import type { FeatureConfig } from '../scoring/reward/features.ts'
import { buildManifest, saveModel } from '../scoring/reward/model.ts'
import { type PreferencePair, readPairsFile } from '../scoring/reward/pairs.ts'
import { countSources, prepareRewardData } from '../scoring/reward/prepare-data.ts'
import { seededRandom, shuffled } from '../scoring/reward/random.ts'
import { DEFAULT_FEATURES, DEFAULT_L2, DEFAULT_MAX_ITERATIONS, trainReward } from '../scoring/reward/train.ts'

const HELP = `leash train <what>

  reward --pairs FILE --out DIR   train the built-in reward model (Bradley-Terry, linear over hashed features)
      --pairs FILE        .jsonl or .jsonl.gz: {prompt|messages, chosen, rejected} or hh-rlhf transcripts
      --dev FILE          dev pairs for the L2 choice (default: a seeded 10% of --pairs)
      --l2 LIST           comma-separated L2 strengths to try (default ${DEFAULT_L2.join(',')})
      --hash-bits N       hashed feature space 2^N (default ${DEFAULT_FEATURES.hashBits})
      --max-iterations N  L-BFGS iterations per L2 strength (default ${DEFAULT_MAX_ITERATIONS})
      --seed N            seed of the dev split when --dev is absent (default 1)
  reward-data --out-dir DIR [--data-dir DIR]
                          write the shipped model's train.jsonl / dev.jsonl from the public data
                          (default data dir: ../shared/data from the repository root)
`

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got '${v}'`)
  return n
}

function l2List(v: string | undefined): number[] {
  if (v === undefined) return [...DEFAULT_L2]
  const xs = v.split(',').map(Number)
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new Error(`--l2 must be comma-separated non-negative numbers, got '${v}'`)
  }
  return xs
}

async function trainRewardCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      pairs: { type: 'string' },
      dev: { type: 'string' },
      out: { type: 'string' },
      l2: { type: 'string' },
      'hash-bits': { type: 'string' },
      'max-iterations': { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  })
  if (!values.pairs || !values.out)
    throw new Error(`train reward needs --pairs FILE and --out DIR\n\n${HELP}`)
  const hashBits = positiveInt('hash-bits', values['hash-bits'], DEFAULT_FEATURES.hashBits)
  if (hashBits > 22) throw new Error('--hash-bits must be at most 22')
  const seed = positiveInt('seed', values.seed, 1)
  const features: FeatureConfig = { ...DEFAULT_FEATURES, hashBits }
  const l2 = l2List(values.l2)
  const maxIterations = positiveInt('max-iterations', values['max-iterations'], DEFAULT_MAX_ITERATIONS)
  let train: PreferencePair[] = await readPairsFile(values.pairs)
  let dev: PreferencePair[]
  let devFrom: string
  if (values.dev) {
    dev = await readPairsFile(values.dev)
    devFrom = path.basename(values.dev)
  } else {
    const mixed = shuffled(train, seededRandom(seed))
    const nDev = Math.max(Math.round(mixed.length * 0.1), 1)
    dev = mixed.slice(0, nDev)
    train = mixed.slice(nDev)
    devFrom = `seeded 10% of ${path.basename(values.pairs)} (seed ${seed})`
  }
  process.stderr.write(
    `training on ${train.length} pairs, dev ${dev.length} (${devFrom}); L2 ${l2.join(', ')}\n`,
  )
  const started = Date.now()
  const result = trainReward(train, dev, {
    features,
    l2,
    maxIterations,
    onProgress: (p) =>
      process.stderr.write(
        `  l2 ${p.l2} iteration ${String(p.iteration).padStart(3)}  train loss ${p.trainLoss.toFixed(4)}  ` +
          `dev loss ${p.devLoss.toFixed(4)}  dev accuracy ${p.devAccuracy.toFixed(3)}\n`,
      ),
  })
  for (const s of result.search) {
    process.stderr.write(
      `l2 ${s.l2}: dev loss ${s.devLoss.toFixed(4)}, dev accuracy ${s.devAccuracy.toFixed(3)}, train accuracy ${s.trainAccuracy.toFixed(3)}\n`,
    )
  }
  const manifest = buildManifest(features, result.weights, {
    pairsFile: path.basename(values.pairs),
    trainPairs: train.length,
    devPairs: dev.length,
    devFrom,
    sources: countSources(train),
    seed,
    l2: result.l2,
    iterations: result.iterations,
    maxIterations,
    trainAccuracy: round(result.trainAccuracy),
    devAccuracy: round(result.devAccuracy),
    devLoss: round(result.devLoss),
  })
  await saveModel(values.out, manifest, result.weights)
  process.stderr.write(
    `chose l2 ${result.l2}: dev accuracy ${result.devAccuracy.toFixed(3)} on ${dev.length} pairs; ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  )
  process.stdout.write(`wrote ${values.out} (version ${manifest.version})\n`)
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4
}

/** The repository root, from this file's place in it (server/src/cli). */
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..')

async function rewardDataCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, 'out-dir': { type: 'string' } },
    strict: true,
  })
  if (!values['out-dir']) throw new Error(`train reward-data needs --out-dir DIR\n\n${HELP}`)
  const dataDir = values['data-dir'] ?? path.resolve(REPO_ROOT, '../shared/data')
  const out = await prepareRewardData(dataDir, values['out-dir'])
  process.stdout.write(
    `wrote ${out.trainFile} (${out.train} pairs: ${Object.entries(out.sources)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) and ${out.devFile} (${out.dev} pairs)\n`,
  )
}

export async function trainCommand(args: string[]): Promise<void> {
  const [what, ...rest] = args
  switch (what) {
    case 'reward':
      return trainRewardCommand(rest)
    case 'reward-data':
      return rewardDataCommand(rest)
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(HELP)
      return
    default:
      throw new Error(`unknown train target '${what}'\n\n${HELP}`)
  }
}
