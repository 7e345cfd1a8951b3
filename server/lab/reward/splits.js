import fs from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { parseCsvObjects } from '../csv.js'
import { parsePairRecord } from './pairs.js'
import { seededRandom, shuffled } from './random.js'
/**
 * The built-in reward model's data split, shared by `prepare-data.ts` (training file) and `eval.ts` (held-out
 * sets), so the two can never disagree. hh-rlhf harmless-base has one source, so it is split by pair with a
 * fixed seed (80 / 10 / 10); LLMBar is split by whole subset: Natural and Adversarial_Neighbor are never trained on.
 */
export const SPLIT_SEED = 20261126
export const HH_FILE = 'hh-rlhf/harmless-base-test.jsonl.gz'
export const LLMBAR_TRAIN_SUBSETS = ['Adversarial_GPTInst', 'Adversarial_GPTOut', 'Adversarial_Manual']
export const LLMBAR_HELDOUT_SUBSETS = ['Natural', 'Adversarial_Neighbor']
export function loadHh(dataDir) {
  const file = path.join(dataDir, HH_FILE)
  const lines = gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n')
  const out = []
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    try {
      out.push({ ...parsePairRecord(JSON.parse(line)), source: 'hh-rlhf/harmless-base' })
    } catch (err) {
      throw new Error(`${file}:${i + 1}: ${err.message}`)
    }
  })
  return out
}
export function loadLlmbar(dataDir, subset) {
  const file = path.join(dataDir, 'llmbar', `LLMBar_${subset}.json`)
  const rows = JSON.parse(fs.readFileSync(file, 'utf8'))
  return rows.map((r) => ({
    prompt: r.input,
    messages: [{ role: 'user', content: r.input }],
    chosen: r.label === 1 ? r.output_1 : r.output_2,
    rejected: r.label === 1 ? r.output_2 : r.output_1,
    source: `llmbar/${subset}`,
  }))
}
const DNA_MODELS = ['GPT4', 'ChatGPT', 'Claude', 'ChatGLM2', 'llama2-7b-chat', 'vicuna-7b']
/**
 * Do-Not-Answer (Apache-2.0) as harmlessness pairs: for each risky prompt, every response humans judged
 * harmless is preferred over every response they judged harmful (805 pairs).
 */
export function loadDoNotAnswerPairs(dataDir) {
  const rows = parseCsvObjects(fs.readFileSync(path.join(dataDir, 'do-not-answer', 'data_en.csv'), 'utf8'))
  const out = []
  for (const r of rows) {
    const prompt = r.question ?? ''
    const safe = DNA_MODELS.filter((m) => r[`${m}_harmful`] === '0')
    const harmful = DNA_MODELS.filter((m) => r[`${m}_harmful`] === '1')
    for (const h of harmful) {
      for (const s of safe) {
        out.push({
          prompt,
          messages: [{ role: 'user', content: prompt }],
          chosen: r[`${s}_response`] ?? '',
          rejected: r[`${h}_response`] ?? '',
          source: 'do-not-answer',
        })
      }
    }
  }
  return out
}
/** TruthfulQA (Apache-2.0): per question, the best true answer is preferred over the best false one (790 pairs). */
export function loadTruthfulQaPairs(dataDir) {
  const rows = parseCsvObjects(fs.readFileSync(path.join(dataDir, 'truthfulqa', 'TruthfulQA.csv'), 'utf8'))
  return rows
    .filter((r) => r.Question && r['Best Answer'] && r['Best Incorrect Answer'])
    .map((r) => ({
      prompt: r.Question,
      messages: [{ role: 'user', content: r.Question }],
      chosen: r['Best Answer'],
      rejected: r['Best Incorrect Answer'],
      source: 'truthfulqa',
    }))
}
/**
 * TruthfulQA's informativeness judgements (Apache-2.0) as pairs: per question, an answer judged informative is
 * preferred over one judged uninformative ("I have no comment"). Benign questions deserve an answer, the
 * counterweight to hh-rlhf harmless-base, where declining is often the preferred reply. `perQuestion` caps
 * the informative and uninformative answers used per question (pairs = their product).
 */
export function loadTruthfulQaInfoPairs(dataDir, perQuestion) {
  const lines = fs.readFileSync(path.join(dataDir, 'truthfulqa', 'finetune_info.jsonl'), 'utf8').split('\n')
  const byQuestion = new Map()
  for (const line of lines) {
    if (line.trim() === '') continue
    const r = JSON.parse(line)
    const m = /^Q: ([\s\S]*?)\nA: ([\s\S]*)\nHelpful:$/.exec(r.prompt)
    if (!m) continue
    const [, q, a] = m
    const g = byQuestion.get(q) ?? { yes: [], no: [] }
    byQuestion.set(q, g)
    const list = r.completion.trim() === 'yes' ? g.yes : g.no
    if (!list.includes(a)) list.push(a)
  }
  const out = []
  for (const [q, g] of byQuestion) {
    for (const good of g.yes.slice(0, perQuestion)) {
      for (const bad of g.no.slice(0, perQuestion)) {
        out.push({
          prompt: q,
          messages: [{ role: 'user', content: q }],
          chosen: good,
          rejected: bad,
          source: 'truthfulqa/info',
        })
      }
    }
  }
  return out
}
export function rewardSplit(dataDir) {
  const hh = shuffled(loadHh(dataDir), seededRandom(SPLIT_SEED))
  const nTest = Math.round(hh.length * 0.1)
  const nDev = Math.round(hh.length * 0.1)
  const hhTest = hh.slice(0, nTest)
  const hhDev = hh.slice(nTest, nTest + nDev)
  const hhTrain = hh.slice(nTest + nDev)
  return {
    train: [...hhTrain, ...LLMBAR_TRAIN_SUBSETS.flatMap((s) => loadLlmbar(dataDir, s))],
    dev: hhDev,
    test: [
      {
        name: 'hh-rlhf',
        dataset: 'hh-rlhf harmless-base (test file)',
        split: `held-out 10% of pairs (seed ${SPLIT_SEED}; one source, so split by pair)`,
        pairs: hhTest,
      },
      ...LLMBAR_HELDOUT_SUBSETS.map((s) => ({
        name: `llmbar-${s}`,
        dataset: `LLMBar_${s}`,
        split: 'whole subset, never trained on',
        pairs: loadLlmbar(dataDir, s),
      })),
    ],
  }
}
