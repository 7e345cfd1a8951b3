import {
  FEATURE_BITS,
  FEATURES_VERSION,
  promptFeatures,
  responseFeatures,
} from '../../src/scoring/safety/features.js'
import {
  applyPlatt,
  bestF1Threshold,
  FeatureBuilder,
  fitPlatt,
  logRegLogit,
  rocAuc,
  trainLogReg,
} from '../ml.js'
import { VIOLATION_CATEGORIES } from './data.js'
import {
  moderationSplits,
  REFUSAL_DEV_MODELS,
  REFUSAL_HELDOUT_MODELS,
  REFUSAL_TRAIN_MODELS,
  RISK_HELDOUT_SOURCES,
  refusalSplits,
  riskSplits,
  SEED,
} from './splits.js'
export function featurize(texts, fn) {
  const b = new FeatureBuilder(FEATURE_BITS)
  return texts.map((t) => {
    b.reset()
    fn(b, t)
    return b.toSparse()
  })
}
const BAGS = 3
/**
 * Trains one calibrated head: logistic regression on `train`, Platt scaling and an F1-optimal threshold
 * on `dev` (clamped, by default to [0.3, 0.7], so a small dev set can't push it to an extreme).
 */
export function trainHead(tensor, train, dev, opts, log, clamp = [0.3, 0.7]) {
  // Averages the weights of BAGS runs that differ only in their shuffle seed: same cost at scoring time, less
  // dependence on the order SGD happened to see the rows in.
  const runs = Array.from({ length: BAGS }, (_, k) =>
    trainLogReg(train.xs, train.ys, {
      dim: 1 << FEATURE_BITS,
      ...opts,
      seed: (opts.seed ?? 1) + k * 7919,
      sampleWeights: train.weights,
    }),
  )
  const m = {
    weights: new Float32Array(1 << FEATURE_BITS),
    bias: runs.reduce((acc, r) => acc + r.bias, 0) / BAGS,
  }
  for (const r of runs)
    for (let i = 0; i < m.weights.length; i++) m.weights[i] = m.weights[i] + r.weights[i] / BAGS
  const logits = dev.xs.map((x) => logRegLogit(m, x))
  const platt = fitPlatt(logits, dev.ys)
  const probs = logits.map((z) => applyPlatt(platt, z))
  const t = bestF1Threshold(
    probs,
    dev.ys.map((y) => y > 0.5),
  )
  const threshold = Math.min(clamp[1], Math.max(clamp[0], t))
  const positives = dev.ys.filter((y) => y > 0.5).length
  log(
    `  ${tensor}: train ${train.xs.length} rows, dev ${dev.xs.length} rows (${positives} positive), ` +
      `platt a=${platt.a.toFixed(3)} b=${platt.b.toFixed(3)}, threshold ${threshold.toFixed(3)}, ` +
      `dev AUC ${rocAuc(
        probs,
        dev.ys.map((y) => y > 0.5),
      ).toFixed(3)} (dev-optimal threshold ${t.toFixed(3)})`,
  )
  return {
    spec: { tensor, bias: m.bias, platt, threshold },
    weights: m.weights,
    dev: { rows: dev.xs.length, positives },
  }
}
/**
 * Refusal and prompt-risk thresholds never go below 0.5: their dev sets are 50-60% positive, production
 * traffic is mostly benign and compliant, so a dev-optimal low threshold would over-flag in production.
 */
const DECISION_CLAMP = [0.5, 0.8]
/** Per-source weights: a source with n rows weighs min(1, cap / n) per row, so no source dominates. */
function sourceWeights(sources, cap, boost = {}) {
  const counts = new Map()
  for (const s of sources) counts.set(s, (counts.get(s) ?? 0) + 1)
  return sources.map((s) => Math.min(1, cap / (counts.get(s) ?? 1)) * (boost[s] ?? 1))
}
/**
 * Source weights of the prompt-risk head: the look-alike sets count more than their size. Tripling the
 * benign look-alikes won on dev F1 by 0.003 but tied the keyword list on the test's fresh written prompts
 * and cost held-out harmful recall: reverted (decision record 016).
 */
export const RISK_BOOST = {
  'xstest safe': 3,
  'xstest unsafe': 2,
  'contrast benign': 2,
  'contrast harmful': 2,
}
/** The prompt-risk head on given train/dev prompts (the shipped split, or a swapped hold-out in risk-swap.ts). */
export function trainRiskHead(ps, seed, log, boost = RISK_BOOST) {
  return trainHead(
    'prompt_risk',
    {
      xs: featurize(
        ps.train.map((p) => p.text),
        promptFeatures,
      ),
      ys: ps.train.map((p) => (p.harmful ? 1 : 0)),
      weights: sourceWeights(
        ps.train.map((p) => p.source),
        300,
        boost,
      ),
    },
    {
      xs: featurize(
        ps.dev.map((p) => p.text),
        promptFeatures,
      ),
      ys: ps.dev.map((p) => (p.harmful ? 1 : 0)),
    },
    { epochs: 12, lr: 0.2, l2: 1e-4, seed, positiveWeight: 'balanced' },
    log,
    DECISION_CLAMP,
  )
}
export function trainSafety(dataDir, log = () => {}, seed = SEED) {
  const tensors = []
  const splits = {}
  log('refusal: featurizing responses')
  const rs = refusalSplits(dataDir)
  const refusal = trainHead(
    'refusal',
    {
      xs: featurize(
        rs.train.map((r) => r.text),
        responseFeatures,
      ),
      ys: rs.train.map((r) => (r.refusal ? 1 : 0)),
      weights: rs.train.map((r) => (r.source.startsWith('contrast') ? 3 : 1)),
    },
    {
      xs: featurize(
        rs.dev.map((r) => r.text),
        responseFeatures,
      ),
      ys: rs.dev.map((r) => (r.refusal ? 1 : 0)),
    },
    { epochs: 10, lr: 0.2, l2: 1e-5, seed, positiveWeight: 'balanced' },
    log,
    DECISION_CLAMP,
  )
  tensors.push({ name: refusal.spec.tensor, weights: refusal.weights })
  splits.refusal =
    `train: do-not-answer ${REFUSAL_TRAIN_MODELS.join(', ')} (actions 0/4 refusal, 2/3/5 compliance, 1 left out) ` +
    '+ compliant answers: llmbar outputs and TruthfulQA best answers (seeded 80%); ' +
    `dev (calibration): do-not-answer ${REFUSAL_DEV_MODELS.join(', ')} + the other 20% of those answers; ` +
    `held out: do-not-answer ${REFUSAL_HELDOUT_MODELS.join(', ')} and both XSTest models (eval only)`
  log('prompt risk: featurizing prompts')
  const ps = riskSplits(dataDir)
  const risk = trainRiskHead(ps, seed, log)
  tensors.push({ name: risk.spec.tensor, weights: risk.weights })
  const bySource = new Map()
  for (const p of [...ps.train, ...ps.dev]) bySource.set(p.source, (bySource.get(p.source) ?? 0) + 1)
  splits.promptRisk =
    `train+dev (seeded 85/15): ${[...bySource].map(([s, n]) => `${s} ${n}`).join(', ')}; ` +
    `held out: ${RISK_HELDOUT_SOURCES.join(', ')} (whole source, and near-duplicates removed from training), ` +
    'XSTest families safe_contexts, definitions, historical_events, discrimination; ' +
    'eval only: refusal-direction harmless_test (CC-BY-NC), toxicchat (CC-BY-NC)'
  log('violation: featurizing openai-moderation')
  const ms = moderationSplits(dataDir)
  const trainX = featurize(
    ms.train.map((r) => r.text),
    responseFeatures,
  )
  const devX = featurize(
    ms.dev.map((r) => r.text),
    responseFeatures,
  )
  const violation = {}
  for (const cat of VIOLATION_CATEGORIES) {
    const tr = ms.train.map((r, i) => [trainX[i], r.labels[cat]]).filter(([, y]) => y !== undefined)
    const dv = ms.dev.map((r, i) => [devX[i], r.labels[cat]]).filter(([, y]) => y !== undefined)
    const head = trainHead(
      `violation.${cat}`,
      { xs: tr.map(([x]) => x), ys: tr.map(([, y]) => y ?? 0) },
      { xs: dv.map(([x]) => x), ys: dv.map(([, y]) => y ?? 0) },
      { epochs: 12, lr: 0.2, l2: 1e-3, seed, positiveWeight: 'balanced' },
      log,
      [0.1, 0.9],
    )
    violation[cat] = head.spec
    tensors.push({ name: head.spec.tensor, weights: head.weights })
  }
  // Pooled head: positive when any category is 1; negative when at least half the categories are labelled
  // and all of those are 0 (the set labels categories in groups; a missing key means unknown).
  const anyOf = (r) => {
    const vals = Object.values(r.labels)
    if (vals.some((v) => v === 1)) return 1
    return vals.length >= VIOLATION_CATEGORIES.length / 2 ? 0 : undefined
  }
  const anyRows = (rows, xs) => rows.map((r, i) => [xs[i], anyOf(r)]).filter(([, y]) => y !== undefined)
  const anyTr = anyRows(ms.train, trainX)
  const anyDv = anyRows(ms.dev, devX)
  const violationAny = trainHead(
    'violation.any',
    { xs: anyTr.map(([x]) => x), ys: anyTr.map(([, y]) => y ?? 0) },
    { xs: anyDv.map(([x]) => x), ys: anyDv.map(([, y]) => y ?? 0) },
    { epochs: 12, lr: 0.2, l2: 1e-3, seed, positiveWeight: 'balanced' },
    log,
    DECISION_CLAMP,
  )
  tensors.push({ name: violationAny.spec.tensor, weights: violationAny.weights })
  splits.violation = `openai-moderation (one source): seeded row split 60% train (${ms.train.length}), 15% dev (${ms.dev.length}), 25% test (${ms.test.length}); a category trains only on rows that label it`
  return {
    manifest: {
      version: '',
      featuresVersion: FEATURES_VERSION,
      featureBits: FEATURE_BITS,
      trainedWith: `npx tsx server/src/scoring/safety/train.ts --data ../shared/data --out server/models/safety (seed ${seed})`,
      refusal: refusal.spec,
      promptRisk: risk.spec,
      violation,
      violationAny: violationAny.spec,
      sources: TRAINING_SOURCES,
      splits,
      metrics: {},
    },
    tensors,
  }
}
export const TRAINING_SOURCES = [
  {
    name: 'do-not-answer',
    license: 'Apache-2.0',
    use: 'refusal (responses, action labels); prompt risk (harmful prompt types)',
  },
  { name: 'llmbar', license: 'MIT', use: 'refusal negatives (outputs); prompt risk benign (inputs)' },
  { name: 'advbench', license: 'MIT', use: 'prompt risk harmful' },
  { name: 'simplesafetytests', license: 'CC-BY-4.0', use: 'prompt risk harmful' },
  { name: 'strongreject', license: 'MIT', use: 'prompt risk harmful' },
  { name: 'jailbreakbench', license: 'MIT', use: 'prompt risk harmful and benign' },
  { name: 'xstest prompts', license: 'CC-BY-4.0', use: 'prompt risk, 4 of 8 families only' },
  {
    name: 'truthfulqa',
    license: 'Apache-2.0',
    use: 'prompt risk benign (questions); refusal negatives (best answers)',
  },
  {
    name: 'openai-moderation',
    license: 'MIT',
    use: 'violation categories; its no-category texts as prompt-risk benign; train/dev texts as refusal negatives',
  },
  {
    name: 'contrast sets (server/src/scoring/safety/data/)',
    license: 'own work, written for Leash',
    use: 'prompt risk (look-dangerous benign prompts and harmful twins); refusal (explanations and refusals)',
  },
]
