import { linearScore } from '../../src/scoring/reward/model.js'
import { lengthBaseline, pairwiseAccuracy } from './eval.js'
import { trainingPairs } from './prepare-data.js'
import { loadDoNotAnswerPairs, loadTruthfulQaInfoPairs, loadTruthfulQaPairs, rewardSplit } from './splits.js'
import { DEFAULT_FEATURES, DEFAULT_L2, DEFAULT_MAX_ITERATIONS, trainReward } from './train.js'

const NGRAMS_ONLY = { promptCross: false, dense: false }
const DENSE_ONLY = { wordNgrams: 0, promptCross: false }
const MARKERS = { promptMarkerCross: true }
const CHARS = { charNgrams: [3, 5], wordNgrams: 1 }
const base = (dataDir) => rewardSplit(dataDir).train
const shipped = (dataDir) => trainingPairs(dataDir).train
const CANDIDATES = [
  { data: 'hh + LLMBar-adv', features: 'word 1-2-grams only', config: NGRAMS_ONLY, train: base },
  { data: 'hh + LLMBar-adv', features: 'dense features only', config: DENSE_ONLY, train: base },
  {
    data: 'hh + LLMBar-adv',
    features: 'n-grams + crosses + dense + marker crosses',
    config: MARKERS,
    train: base,
  },
  {
    data: 'hh + DNA',
    features: 'n-grams + crosses + dense',
    config: {},
    train: (d) => [...base(d).filter((p) => !p.source?.startsWith('llmbar')), ...loadDoNotAnswerPairs(d)],
  },
  {
    data: 'hh + LLMBar-adv + DNA (shipped)',
    features: 'n-grams + crosses + dense',
    config: {},
    train: shipped,
  },
  { data: 'hh + LLMBar-adv + DNA', features: 'same + marker crosses', config: MARKERS, train: shipped },
  {
    data: 'hh + LLMBar-adv + DNA',
    features: 'char 3-5-grams + crosses + dense',
    config: CHARS,
    train: shipped,
  },
  {
    data: '+ TruthfulQA best vs best-incorrect',
    features: 'n-grams + crosses + dense',
    config: {},
    train: (d) => [...shipped(d), ...loadTruthfulQaPairs(d)],
  },
  {
    data: '+ TruthfulQA informative vs not, 1/question',
    features: 'n-grams + crosses + dense',
    config: {},
    train: (d) => [...shipped(d), ...loadTruthfulQaInfoPairs(d, 1)],
  },
  {
    data: '+ TruthfulQA informative vs not, 2x2/question',
    features: 'n-grams + crosses + dense',
    config: {},
    train: (d) => [...shipped(d), ...loadTruthfulQaInfoPairs(d, 2)],
  },
]
/** Prints the feature/data comparison table of docs/decisions/007 (`leash train reward-compare`). */
export async function compareRewardCandidates(dataDir) {
  const split = rewardSplit(dataDir)
  const sets = split.test
  process.stdout.write(
    `| training data (pairs) | features | dev loss | dev acc (${split.dev.length}) | ${sets.map((s) => `${s.name} (${s.pairs.length})`).join(' | ')} |\n`,
  )
  process.stdout.write(`|---|---|---|---|${sets.map(() => '---|').join('')}\n`)
  process.stdout.write(
    `| length baseline | | | ${lengthBaseline(split.dev).toFixed(3)} | ${sets.map((s) => lengthBaseline(s.pairs).toFixed(3)).join(' | ')} |\n`,
  )
  for (const c of CANDIDATES) {
    const features = { ...DEFAULT_FEATURES, ...c.config }
    const train = c.train(dataDir)
    const r = trainReward(train, split.dev, {
      features,
      l2: DEFAULT_L2,
      maxIterations: DEFAULT_MAX_ITERATIONS,
    })
    const score = linearScore(features, r.weights)
    const acc = (pairs) =>
      pairwiseAccuracy(
        pairs.map((p) => score(p.prompt, p.chosen)),
        pairs.map((p) => score(p.prompt, p.rejected)),
      ).toFixed(3)
    process.stdout.write(
      `| ${c.data} (${train.length}) | ${c.features} | ${r.devLoss.toFixed(4)} | ${r.devAccuracy.toFixed(3)} | ${sets.map((s) => acc(s.pairs)).join(' | ')} |\n`,
    )
  }
}
