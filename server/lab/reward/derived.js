import { fnv1a } from '../../src/scoring/ml/hash.js'
import { loadContrastResponses, loadDoNotAnswer, loadTruthfulQa } from '../safety/data.js'
import { REFUSAL_TRAIN_MODELS } from '../safety/splits.js'
import { LLMBAR_TRAIN_SUBSETS, loadLlmbar } from './splits.js'
/**
 * Pairs derived from permissive data for the dimension hh-rlhf harmless-base cannot teach: a benign request
 * deserves an answer. Chosen = a real answer to a benign prompt (TruthfulQA best answers, Apache-2.0; LLMBar
 * training-subset preferred outputs, MIT); rejected = a real refusal: Do-Not-Answer refusals (action 0) of the
 * refusal-training models (Apache-2.0) and the refusals written for this project, picked by hash.
 */
export function refusalBank(dataDir) {
  const models = new Set(REFUSAL_TRAIN_MODELS)
  const dna = loadDoNotAnswer(dataDir)
    .filter((r) => r.action === 0 && models.has(r.model) && r.response.length < 600)
    .map((r) => r.response)
  const written = loadContrastResponses()
    .filter((r) => r.refusal)
    .map((r) => r.text)
  return [...new Set([...dna, ...written])]
}
function pair(prompt, chosen, rejected, source) {
  return { prompt, messages: [{ role: 'user', content: prompt }], chosen, rejected, source }
}
export function benignAnswerPairs(dataDir) {
  const bank = refusalBank(dataDir)
  const refusalFor = (prompt) => bank[fnv1a(prompt) % bank.length]
  const out = []
  for (const r of loadTruthfulQa(dataDir)) {
    if (r.question && r.bestAnswer)
      out.push(
        pair(r.question, r.bestAnswer, refusalFor(r.question), 'derived: truthfulqa answer vs refusal'),
      )
  }
  // Only LLMBar's training subsets: Natural and Adversarial_Neighbor are held out for evaluation.
  for (const subset of LLMBAR_TRAIN_SUBSETS) {
    for (const p of loadLlmbar(dataDir, subset))
      out.push(pair(p.prompt, p.chosen, refusalFor(p.prompt), 'derived: llmbar output vs refusal'))
  }
  return out
}
/** Dev share of the derived pairs, by prompt hash (a prompt is in one side only). */
export function isDerivedDev(p) {
  return fnv1a(`dev:${p.prompt}`) % 10 === 0
}
