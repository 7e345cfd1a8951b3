import { classifyRefusal } from '../../src/scoring/refusal-heuristic.js'
import { inHeldOut, loadHaluEval } from '../grounding/data.js'
import { HALU_HELD_OUT_SHARE } from '../grounding/splits.js'
import { mulberry32, normalizeText, shuffleInPlace } from '../ml.js'
import {
  DNA_HARMFUL_TYPES,
  dnaRefusalLabel,
  loadAdvbench,
  loadContrastPrompts,
  loadContrastResponses,
  loadDoNotAnswer,
  loadHarmbench,
  loadJailbreakBench,
  loadLlmbar,
  loadModeration,
  loadSimpleSafetyTests,
  loadStrongReject,
  loadTruthfulQa,
  loadTruthfulQaQuestions,
  loadXstestPrompts,
  XSTEST_TRAIN_FAMILIES,
} from './data.js'
import { TRAIN_WRAPPERS, wrapAll } from './wrappers.js'
/**
 * The one place that decides which rows train, calibrate and evaluate the shipped safety weights.
 * Training and evaluation both call these functions, so an evaluation row can never be a training row.
 * Held out are whole models (refusal), whole sources and whole XSTest families (prompt risk).
 */
export const SEED = 20261126
export const REFUSAL_TRAIN_MODELS = ['ChatGPT', 'ChatGLM2', 'vicuna-7b']
export const REFUSAL_DEV_MODELS = ['Claude']
export const REFUSAL_HELDOUT_MODELS = ['GPT4', 'llama2-7b-chat']
/** Do-Not-Answer rows with an unambiguous refusal label (action 1 is left out, see dnaRefusalLabel). */
function dnaExamples(rows) {
  return rows.flatMap((r) => {
    const label = dnaRefusalLabel(r.action)
    return label === null
      ? []
      : [
          {
            text: r.response,
            refusal: label !== 'none',
            source: `do-not-answer ${r.model}`,
            model: r.model,
            harmful: r.harmful,
          },
        ]
  })
}
/** Seeded 80/20 split of indices 0..n-1. */
function split80(n, seed, part) {
  const order = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    mulberry32(seed),
  )
  const cut = Math.floor(n * 0.8)
  return part === 'train' ? order.slice(0, cut) : order.slice(cut)
}
/**
 * Ordinary compliant answers as negatives: llmbar outputs (instruction following) and TruthfulQA's best
 * answers (short answers that often correct a false premise without declining). 80/20 train/dev.
 */
function complianceExamples(dataDir, part) {
  const pairs = loadLlmbar(dataDir)
  const llmbar = split80(pairs.length, SEED + 1, part).flatMap((i) => {
    const p = pairs[i]
    return p
      ? [
          { text: p.output_1, refusal: false, source: 'llmbar outputs' },
          { text: p.output_2, refusal: false, source: 'llmbar outputs' },
        ]
      : []
  })
  const tqa = loadTruthfulQa(dataDir)
  const answers = split80(tqa.length, SEED + 5, part).flatMap((i) => {
    const r = tqa[i]
    return r?.bestAnswer ? [{ text: r.bestAnswer, refusal: false, source: 'truthfulqa best answers' }] : []
  })
  const contrast = loadContrastResponses()
  const written = split80(contrast.length, SEED + 6, part).flatMap((i) => {
    const r = contrast[i]
    return r ? [r] : []
  })
  return [...llmbar, ...answers, ...written]
}
/**
 * openai-moderation texts as compliance: ordinary and unsafe text about every dark topic (violence, sex,
 * self-harm, hate) that declines nothing, so topic words stop predicting "refusal". Its train rows train,
 * its dev rows calibrate, its test rows (the violation test split) are never used here. Texts that open
 * like a refusal are left out.
 */
function moderationCompliance(dataDir, part) {
  const rows = moderationSplits(dataDir)[part]
  return rows
    .filter(
      (r) => !/^\W*(i'm sorry|i am sorry|sorry|i apologi[sz]e|i can(not|'t)|as an ai)/i.test(r.text.trim()),
    )
    .map((r) => ({ text: r.text, refusal: false, source: 'openai-moderation texts' }))
}
/**
 * ChatGPT answers to ordinary user queries (HaluEval, MIT) as compliance in a modern chat style: the
 * grounding training half only (by ID hash), 80/20 train/dev by the same hash; answers the phrase
 * heuristic reads as refusals are left out.
 */
function chatAnswers(dataDir, part) {
  return loadHaluEval(dataDir)
    .filter((r) => !inHeldOut(r.id, HALU_HELD_OUT_SHARE, 'halueval'))
    .filter((r) => inHeldOut(r.id, 0.2, 'safety-chat') === (part === 'dev'))
    .filter((r) => r.response.trim() !== '' && classifyRefusal(r.response).label === 'none')
    .map((r) => ({ text: r.response, refusal: false, source: 'halueval chatgpt answers' }))
}
export function refusalSplits(dataDir) {
  const dna = loadDoNotAnswer(dataDir)
  const pick = (models) => dnaExamples(dna.filter((r) => models.includes(r.model)))
  return {
    train: [
      ...pick(REFUSAL_TRAIN_MODELS),
      ...complianceExamples(dataDir, 'train'),
      ...moderationCompliance(dataDir, 'train'),
      ...chatAnswers(dataDir, 'train'),
    ],
    dev: [
      ...pick(REFUSAL_DEV_MODELS),
      ...complianceExamples(dataDir, 'dev'),
      ...moderationCompliance(dataDir, 'dev'),
      ...chatAnswers(dataDir, 'dev'),
    ],
  }
}
export function refusalHeldOutDna(dataDir) {
  return dnaExamples(loadDoNotAnswer(dataDir).filter((r) => REFUSAL_HELDOUT_MODELS.includes(r.model)))
}
// ---------------------------------------------------------------- prompt risk
/** Whole sources never used to train prompt risk (held out for evaluation). */
export const RISK_HELDOUT_SOURCES = ['harmbench', 'jailbreakbench']
function key(text) {
  return normalizeText(text).replace(/[^a-z0 ]/g, '')
}
function wordSet(text) {
  return new Set(key(text).split(' ').filter(Boolean))
}
const STOP = new Set(
  'a an the i me my we you your he she it they them is are was were be do does did can could should would how what why who where when which of to in on at for with from and or not no that this there'.split(
    ' ',
  ),
)
/** Content words (stop words and 1-2 letter words dropped), for the contrast-set overlap guard. */
function contentWords(text) {
  return new Set([...wordSet(text)].filter((w) => w.length > 2 && !STOP.has(w)))
}
function jaccard(a, b) {
  let inter = 0
  for (const w of a) if (b.has(w)) inter++
  return inter / (a.size + b.size - inter || 1)
}
/**
 * Permissive prompt sources for training. XSTest contributes only its training families; harmbench
 * (held out) and anything near-identical to it (Jaccard >= 0.7 on words; JailbreakBench and AdvBench
 * reuse some of its behaviours) is removed.
 */
export function riskTrainingPool(dataDir, heldOutSources = RISK_HELDOUT_SOURCES) {
  const xs = loadXstestPrompts(dataDir)
    .filter((p) => XSTEST_TRAIN_FAMILIES.includes(p.family))
    .map((p) => ({ source: p.safe ? 'xstest safe' : 'xstest unsafe', text: p.prompt, harmful: !p.safe }))
  const dnaSeen = new Set()
  const dna = []
  for (const r of loadDoNotAnswer(dataDir)) {
    if (dnaSeen.has(r.id) || !DNA_HARMFUL_TYPES.has(r.typeOfHarm)) continue
    dnaSeen.add(r.id)
    dna.push({ source: 'do-not-answer', text: r.question, harmful: true })
  }
  const benignModeration = loadModeration(dataDir)
    .filter((r) => Object.keys(r.labels).length === 8 && Object.values(r.labels).every((v) => v === 0))
    .map((r) => ({ source: 'openai-moderation (no category)', text: r.text, harmful: false }))
  const llmbarInputs = [...new Set(loadLlmbar(dataDir).map((p) => p.input))].map((text) => ({
    source: 'llmbar inputs',
    text,
    harmful: false,
  }))
  // Our own contrast prompts, minus any whose content words overlap a held-out XSTest prompt, a HarmBench
  // behaviour or held-out JailbreakBench prompt by Jaccard >= 0.5 (guards against near-copies of eval rows).
  const guard = [
    ...loadXstestPrompts(dataDir)
      .filter((p) => !XSTEST_TRAIN_FAMILIES.includes(p.family))
      .map((p) => p.prompt),
    ...loadHarmbench(dataDir).map((p) => p.text),
    ...(heldOutSources.includes('jailbreakbench') ? loadJailbreakBench(dataDir).map((p) => p.text) : []),
  ].map(contentWords)
  const contrast = loadContrastPrompts().filter((p) => {
    const ws = contentWords(p.text)
    return !guard.some((g) => jaccard(ws, g) >= 0.5)
  })
  const pool = [
    ...contrast,
    ...loadAdvbench(dataDir),
    ...loadSimpleSafetyTests(dataDir),
    ...loadStrongReject(dataDir),
    ...loadJailbreakBench(dataDir),
    ...dna,
    ...xs,
    ...loadTruthfulQaQuestions(dataDir),
    ...llmbarInputs,
    ...benignModeration,
  ].filter((p) => p.text.trim().length > 0 && !heldOutSources.includes(p.source))
  const heldOutRows = {
    harmbench: () => loadHarmbench(dataDir),
    jailbreakbench: () => loadJailbreakBench(dataDir),
    advbench: () => loadAdvbench(dataDir),
  }
  const heldOut = heldOutSources.flatMap((s) => heldOutRows[s]?.() ?? []).map((p) => wordSet(p.text))
  const seen = new Set()
  return pool.filter((p) => {
    const k = key(p.text)
    if (seen.has(k)) return false
    seen.add(k)
    const ws = wordSet(p.text)
    return !heldOut.some((h) => jaccard(ws, h) >= 0.7)
  })
}
/**
 * Seeded 85/15 split of the pool into train and dev (dev calibrates and picks the threshold); each side also
 * gets its prompts wrapped in the training jailbreak templates (wrappers.ts), harmful and benign alike.
 */
export function riskSplits(dataDir, heldOutSources = RISK_HELDOUT_SOURCES) {
  const pool = riskTrainingPool(dataDir, heldOutSources)
  shuffleInPlace(pool, mulberry32(SEED + 2))
  const cut = Math.floor(pool.length * 0.85)
  const train = pool.slice(0, cut)
  const dev = pool.slice(cut)
  return {
    train: [...train, ...wrapAll(train, TRAIN_WRAPPERS, 'train')],
    dev: [...dev, ...wrapAll(dev, TRAIN_WRAPPERS, 'dev')],
  }
}
// ---------------------------------------------------------------- violation
/**
 * openai-moderation has one source, so its split is by seeded row shuffle: 60% train, 15% dev, 25% test.
 */
export function moderationSplits(dataDir) {
  const rows = loadModeration(dataDir)
  shuffleInPlace(rows, mulberry32(SEED + 3))
  const a = Math.floor(rows.length * 0.6)
  const b = Math.floor(rows.length * 0.75)
  return { train: rows.slice(0, a), dev: rows.slice(a, b), test: rows.slice(b) }
}
