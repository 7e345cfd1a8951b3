import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'
import { parseCsvObjects } from '../csv.js'
/**
 * Loaders for the public labelled sets in `../shared/data` (training and evaluation only; the scorer
 * never reads them). Each function reads one folder as its README describes it.
 */
/** RFC 4180 CSV with a header line into objects keyed by column name (see ml/csv.ts). */
export const parseCsv = parseCsvObjects
function readText(dir, ...parts) {
  const file = path.join(dir, ...parts)
  try {
    const buf = fs.readFileSync(file)
    return (file.endsWith('.gz') ? zlib.gunzipSync(buf) : buf).toString('utf8')
  } catch (err) {
    throw new Error(`cannot read ${file}: ${err.message}`)
  }
}
const csv = (dir, ...parts) => parseCsv(readText(dir, ...parts))
const json = (dir, ...parts) => JSON.parse(readText(dir, ...parts))
// ---------------------------------------------------------------- XSTest
/**
 * XSTest's 18 prompt types grouped into 8 families: a safe type and its `contrast_` (unsafe) twin are
 * one family, so holding out a family holds out a whole kind of "looks dangerous" phrasing.
 */
export const XSTEST_FAMILY = {
  homonyms: 'homonyms',
  contrast_homonyms: 'homonyms',
  figurative_language: 'figurative_language',
  contrast_figurative_language: 'figurative_language',
  safe_targets: 'safe_targets',
  contrast_safe_targets: 'safe_targets',
  safe_contexts: 'safe_contexts',
  contrast_safe_contexts: 'safe_contexts',
  definitions: 'definitions',
  contrast_definitions: 'definitions',
  historical_events: 'historical_events',
  contrast_historical_events: 'historical_events',
  privacy_public: 'privacy',
  privacy_fictional: 'privacy',
  contrast_privacy: 'privacy',
  nons_group_real_discr: 'discrimination',
  real_group_nons_discr: 'discrimination',
  contrast_discr: 'discrimination',
}
/** The XSTest families the shipped prompt-risk weights train on; the other four are held out. */
export const XSTEST_TRAIN_FAMILIES = ['homonyms', 'figurative_language', 'safe_targets', 'privacy']
export function loadXstestPrompts(dataDir) {
  return csv(dataDir, 'xstest', 'xstest_prompts.csv').map((r) => ({
    id: r.id ?? '',
    prompt: r.prompt ?? '',
    type: r.type ?? '',
    family: XSTEST_FAMILY[r.type ?? ''] ?? 'unknown',
    safe: r.label === 'safe',
  }))
}
export const XSTEST_MODELS = ['gpt4', 'mistralguard']
const XSTEST_LABEL = {
  '1_full_compliance': 'none',
  '2_full_refusal': 'full',
  '3_partial_refusal': 'partial',
}
export function loadXstestCompletions(dataDir, model) {
  const rows = csv(
    dataDir,
    'xstest',
    'automated_evaluation_labels',
    `xstest_v2_completions_${model}_streval.csv`,
  )
  return rows.map((r) => ({
    id: r.id ?? '',
    prompt: r.prompt ?? '',
    type: r.type ?? '',
    family: XSTEST_FAMILY[r.type ?? ''] ?? 'unknown',
    safe: !(r.type ?? '').startsWith('contrast_'),
    model,
    completion: r.completion ?? '',
    label: XSTEST_LABEL[r.final_label ?? ''] ?? 'none',
    strmatch: XSTEST_LABEL[r.strmatch_label ?? ''] ?? 'none',
  }))
}
// ---------------------------------------------------------------- Do-Not-Answer
export const DNA_MODELS = ['GPT4', 'ChatGPT', 'Claude', 'ChatGLM2', 'llama2-7b-chat', 'vicuna-7b']
export function loadDoNotAnswer(dataDir) {
  const out = []
  for (const r of csv(dataDir, 'do-not-answer', 'data_en.csv')) {
    for (const m of DNA_MODELS) {
      out.push({
        id: r.id ?? '',
        question: r.question ?? '',
        riskArea: r.risk_area ?? '',
        typeOfHarm: r.types_of_harm ?? '',
        model: m,
        response: r[`${m}_response`] ?? '',
        harmful: r[`${m}_harmful`] === '1',
        action: Number(r[`${m}_action`] ?? '5'),
      })
    }
  }
  return out
}
/**
 * Do-Not-Answer action -> refusal label. 0 (refuses) and 4 (says it cannot answer) decline the request;
 * 2 (balanced), 3 (answers with a disclaimer) and 5 (follows) answer it. 1 (refutes the opinion or
 * premise) is both at once: XSTest's annotators call rejecting a harmful premise a refusal and explaining
 * a false one an answer. Those rows are ambiguous (null) and neither train nor evaluate.
 */
export function dnaRefusalLabel(action) {
  if (action === 1) return null
  return action === 0 || action === 4 ? 'full' : 'none'
}
/** Do-Not-Answer harm types whose prompts ask for something harmful (the rest are only sensitive). */
export const DNA_HARMFUL_TYPES = new Set([
  'Assisting illegal activities',
  'Nudging or advising users to perform unethical or unsafe actions',
  'Toxic language (hate speech)',
  'Social stereotypes and unfair discrimination',
  'Reducing the cost of disinformation campaigns',
  'Adult Content',
  'Compromise privacy by leaking or inferring private information (person/individual)',
])
export function loadAdvbench(dataDir) {
  return csv(dataDir, 'advbench', 'advbench_behaviors.csv').map((r) => ({
    source: 'advbench',
    text: r.Behavior ?? '',
    harmful: true,
  }))
}
/** HarmBench behaviours; `category` is its FunctionalCategory: standard, contextual or copyright. */
export function loadHarmbench(dataDir) {
  return csv(dataDir, 'harmbench', 'harmbench_behaviors_text_all.csv').map((r) => ({
    source: 'harmbench',
    text: r.Behavior ?? '',
    harmful: true,
    category: r.FunctionalCategory ?? '',
  }))
}
export function loadSimpleSafetyTests(dataDir) {
  return csv(dataDir, 'simplesafetytests', 'SimpleSafetyTests.csv').map((r) => ({
    source: 'simplesafetytests',
    text: r.prompts_final ?? '',
    harmful: true,
  }))
}
export function loadStrongReject(dataDir) {
  return csv(dataDir, 'strongreject', 'strongreject_dataset.csv').map((r) => ({
    source: 'strongreject',
    text: r.forbidden_prompt ?? '',
    harmful: true,
  }))
}
export function loadJailbreakBench(dataDir) {
  return json(dataDir, 'jailbreakbench', 'jailbreakbench.json').map((r) => ({
    source: 'jailbreakbench',
    text: r.text,
    harmful: r.label === 'harmful',
  }))
}
export function loadTruthfulQa(dataDir) {
  return csv(dataDir, 'truthfulqa', 'TruthfulQA.csv').map((r) => ({
    question: r.Question ?? '',
    bestAnswer: r['Best Answer'] ?? '',
  }))
}
export function loadTruthfulQaQuestions(dataDir) {
  return csv(dataDir, 'truthfulqa', 'TruthfulQA.csv').map((r) => ({
    source: 'truthfulqa',
    text: r.Question ?? '',
    harmful: false,
  }))
}
export const LLMBAR_FILES = [
  'LLMBar_Natural.json',
  'LLMBar_Adversarial_GPTInst.json',
  'LLMBar_Adversarial_GPTOut.json',
  'LLMBar_Adversarial_Manual.json',
  'LLMBar_Adversarial_Neighbor.json',
]
export function loadLlmbar(dataDir) {
  return LLMBAR_FILES.flatMap((f) => json(dataDir, 'llmbar', f))
}
export const MODERATION_CATEGORIES = {
  S: 'sexual',
  H: 'hate',
  V: 'violence',
  HR: 'harassment',
  SH: 'self_harm',
  S3: 'sexual_minors',
  H2: 'hate_threatening',
  V2: 'violence_graphic',
}
export const VIOLATION_CATEGORIES = Object.values(MODERATION_CATEGORIES)
export function loadModeration(dataDir) {
  return readText(dataDir, 'openai-moderation', 'samples-1680.jsonl.gz')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, index) => {
      const r = JSON.parse(l)
      const labels = {}
      for (const [code, cat] of Object.entries(MODERATION_CATEGORIES)) {
        if (r[code] === 0 || r[code] === 1) labels[cat] = r[code]
      }
      return { index, text: String(r.prompt ?? ''), labels }
    })
}
/** Alpaca-derived benign prompts from refusal-direction: CC-BY-NC, evaluation only. */
export function loadRefusalDirectionHarmless(dataDir, split) {
  return json(dataDir, 'refusal-direction', `harmless_${split}.json`).map((r) => ({
    source: `refusal-direction harmless_${split}`,
    text: r.instruction,
    harmful: false,
  }))
}
/** ToxicChat test prompts: CC-BY-NC, evaluation only. */
export function loadToxicChat(dataDir) {
  return json(dataDir, 'toxicchat', 'toxicchat_test.json').map((r) => ({
    source: 'toxicchat',
    text: r.text,
    harmful: r.label === 'harmful',
  }))
}
// ---------------------------------------------------------------- contrast sets written for this project
/**
 * Contrast sets written by hand for this project (not copied or paraphrased from any data set), shipped in
 * `safety/data/`: benign prompts that look dangerous (homonyms, safe targets, figurative language, games
 * and fiction, safe medical questions, definitions, history, absurd premises, public or fictional people,
 * benign prompts in the "Write a" / "Give detailed instructions" templates of harmful-prompt sets) and
 * matched harmful prompts with the same words; and answers that explain dark topics (compliance) next to
 * refusals in several styles. Training only.
 */
export const CONTRAST_DIR = fileURLToPath(new URL('./data/', import.meta.url))
function jsonl(file) {
  return readText(CONTRAST_DIR, file)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
}
export function loadContrastPrompts() {
  return jsonl('contrast-prompts.jsonl').map((r) => ({
    source: r.harmful ? 'contrast harmful' : 'contrast benign',
    text: r.text,
    harmful: r.harmful,
    kind: r.kind,
  }))
}
export function loadContrastResponses() {
  return jsonl('contrast-responses.jsonl').map((r) => ({
    text: r.text,
    refusal: r.refusal,
    source: r.refusal ? 'contrast refusals' : 'contrast explanations',
  }))
}
