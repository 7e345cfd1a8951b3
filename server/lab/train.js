import path from 'node:path'
import { parseArgs } from 'node:util'
import { GROUNDING_DIR } from '../src/scoring/grounding/model.js'
import { safetyAppraiser } from '../src/scoring/reward/appraiser.js'
import { BUILTIN_MODEL_DIR } from '../src/scoring/reward/builtin.js'
import { linearScore } from '../src/scoring/reward/model.js'
import { SHIPPED_SAFETY_DIR } from '../src/scoring/safety/model.js'
import { trainGrounding } from './grounding/train.js'
import { chooseAppropriatenessWeight } from './reward/appropriateness.js'
import { buildManifest, saveModel } from './reward/bundle.js'
import { compareRewardCandidates } from './reward/compare.js'
import { readPairsFile } from './reward/pairs.js'
import { countSources, prepareRewardData, trainingPairs } from './reward/prepare-data.js'
import { seededRandom, shuffled } from './reward/random.js'
import {
  DEFAULT_FEATURES,
  DEFAULT_L2,
  DEFAULT_MAX_ITERATIONS,
  SHIPPED_FEATURES,
  trainReward,
} from './reward/train.js'
import { riskSwapCheck } from './safety/risk-swap.js'
import { trainSafetyBundle } from './safety/train.js'

const HELP = `leash train <scorer> [--data DIR]
  One entry point per shipped model; each rewrites its folder in server/models/ from the public data
  (--data defaults to ../shared/data next to the repository). Deterministic: a re-run gives the same bytes.

  safety                  refusal, prompt risk, false refusal, policy violation heads -> server/models/safety
  grounding               citation support and unsupported-claims models -> server/models/grounding
  reward                  the built-in reward model -> server/models/reward
  reward --pairs FILE --out DIR   train a reward model on your own pairs (Bradley-Terry, hashed features)
      --pairs FILE        .jsonl or .jsonl.gz: {prompt|messages, chosen, rejected} or hh-rlhf transcripts
      --dev FILE          dev pairs for the L2 choice (default: a seeded 10% of --pairs)
      --l2 LIST           comma-separated L2 strengths to try (default ${DEFAULT_L2.join(',')})
      --hash-bits N       hashed feature space 2^N (default ${DEFAULT_FEATURES.hashBits})
      --max-iterations N  L-BFGS iterations per L2 strength (default ${DEFAULT_MAX_ITERATIONS})
      --seed N            seed of the dev split when --dev is absent (default 1)
  reward-compare          print the reward feature/data comparison table (docs/decisions/007)
  risk-swap               the reverse prompt-risk hold-out (train with JailbreakBench, without AdvBench;
                          evaluate on AdvBench); prints figures, writes no weights
  reward-data --out-dir DIR [--data-dir DIR]
                          write the shipped model's train.jsonl / dev.jsonl from the public data
                          (default data dir: ../shared/data from the repository root)
`
function positiveInt(name, v, fallback) {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got '${v}'`)
  return n
}
function l2List(v) {
  if (v === undefined) return [...DEFAULT_L2]
  const xs = v.split(',').map(Number)
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new Error(`--l2 must be comma-separated non-negative numbers, got '${v}'`)
  }
  return xs
}
async function trainRewardCommand(args) {
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
      data: { type: 'string' },
    },
    strict: true,
  })
  const shipped = !values.pairs && !values.out
  if (!shipped && (!values.pairs || !values.out))
    throw new Error(`train reward needs --pairs FILE and --out DIR\n\n${HELP}`)
  const hashBits = positiveInt('hash-bits', values['hash-bits'], DEFAULT_FEATURES.hashBits)
  if (hashBits > 22) throw new Error('--hash-bits must be at most 22')
  const seed = positiveInt('seed', values.seed, 1)
  const features = { ...(shipped ? SHIPPED_FEATURES : DEFAULT_FEATURES), hashBits }
  const l2 = l2List(values.l2)
  const maxIterations = positiveInt('max-iterations', values['max-iterations'], DEFAULT_MAX_ITERATIONS)
  const outDir = values.out ?? BUILTIN_MODEL_DIR
  const pairsName = values.pairs ? path.basename(values.pairs) : 'public data (lab/reward/prepare-data.ts)'
  let train
  let dev
  let devFrom
  let devSets = []
  if (!values.pairs) {
    const prepared = trainingPairs(dataDirOf(values.data))
    train = prepared.train
    dev = prepared.dev
    devSets = [prepared.devSets.harmless, prepared.devSets.answer]
    devFrom = 'hh-rlhf dev split + derived answer-vs-refusal dev (lab/reward/prepare-data.ts)'
  } else if (values.dev) {
    train = await readPairsFile(values.pairs)
    dev = await readPairsFile(values.dev)
    devFrom = path.basename(values.dev)
  } else {
    const mixed = shuffled(await readPairsFile(values.pairs), seededRandom(seed))
    const nDev = Math.max(Math.round(mixed.length * 0.1), 1)
    dev = mixed.slice(0, nDev)
    train = mixed.slice(nDev)
    devFrom = `seeded 10% of ${pairsName} (seed ${seed})`
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
  // The shipped model is a composite: the learned score plus a fixed-weight appropriateness term.
  let term
  if (shipped) {
    const appraiser = safetyAppraiser()
    const chosen = chooseAppropriatenessWeight(linearScore(features, result.weights), appraiser, devSets)
    for (const s of chosen.search)
      process.stderr.write(
        `appropriateness weight ${s.weight}: dev accuracy harmless ${s.accuracies[0]?.toFixed(3)}, answer-vs-refusal ${s.accuracies[1]?.toFixed(3)}\n`,
      )
    term = { weight: chosen.weight, safetyVersion: appraiser.version }
  }
  const manifest = buildManifest(
    features,
    result.weights,
    {
      pairsFile: pairsName,
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
    },
    term,
  )
  saveModel(outDir, manifest, result.weights)
  process.stderr.write(
    `chose l2 ${result.l2}: dev accuracy ${result.devAccuracy.toFixed(3)} on ${dev.length} pairs; ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  )
  process.stdout.write(`wrote ${outDir} (version ${manifest.version})\n`)
}
function round(x) {
  return Math.round(x * 1e4) / 1e4
}
/** The repository root, from this file's place in it (server/lab). */
const REPO_ROOT = path.resolve(import.meta.dirname, '../..')
export function dataDirOf(flag) {
  return path.resolve(flag ?? path.resolve(REPO_ROOT, '../shared/data'))
}
function dataFlag(args) {
  const { values } = parseArgs({ args, options: { data: { type: 'string' } }, strict: true })
  return dataDirOf(values.data)
}
const log = (msg) => process.stderr.write(`${msg}\n`)
async function rewardDataCommand(args) {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, 'out-dir': { type: 'string' } },
    strict: true,
  })
  if (!values['out-dir']) throw new Error(`train reward-data needs --out-dir DIR\n\n${HELP}`)
  const dataDir = dataDirOf(values['data-dir'])
  const out = await prepareRewardData(dataDir, values['out-dir'])
  process.stdout.write(
    `wrote ${out.trainFile} (${out.train} pairs: ${Object.entries(out.sources)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) and ${out.devFile} (${out.dev} pairs)\n`,
  )
}
export async function trainCommand(args) {
  const [what, ...rest] = args
  switch (what) {
    case 'reward':
      return trainRewardCommand(rest)
    case 'reward-data':
      return rewardDataCommand(rest)
    case 'reward-compare':
      return compareRewardCandidates(dataFlag(rest))
    case 'safety':
      return trainSafetyBundle(dataFlag(rest), SHIPPED_SAFETY_DIR, log)
    case 'risk-swap':
      return riskSwapCheck(dataFlag(rest), log)
    case 'grounding':
      return trainGrounding(dataFlag(rest), GROUNDING_DIR, log)
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(HELP)
      return
    default:
      throw new Error(`unknown train target '${what}'\n\n${HELP}`)
  }
}
