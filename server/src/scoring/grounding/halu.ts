import { isCommonWord } from './align.ts'
import { analyzeClaim, type ClaimInfo } from './claims.ts'
import { type Sentence, splitSentences } from './sentences.ts'
import { entities, numbers, words } from './text.ts'

/**
 * Response-level features for "confident specific claims with nothing to check them against": how
 * much of the answer asserts checkable specifics (numbers, dates, names, superlatives) without hedging,
 * and whether the prompt asked for facts the model cannot have (a URL or article to read, a named
 * entity to describe) or for creative text (nothing to check).
 */
export const HALU_FEATURES = [
  'factual_share',
  'specificity_mean',
  'specificity_max',
  'factual_count',
  'numbers_per_100w',
  'entities_per_100w',
  'dates',
  'hedged_share',
  'ai_disclaimer',
  'prompt_external',
  'prompt_fact_question',
  'prompt_creative',
  'has_code',
  'list_share',
  'length',
  'prompt_length',
  'prompt_has_input',
  'prompt_numbers',
  'prompt_entities',
] as const

const EXTERNAL =
  /https?:\/\/|www\.|\b(?:visit|this (?:article|website|page|link|video|paper|book)|the (?:article|website|link|url|video))\b/i
const FACT_QUESTION =
  /^\s*(?:who|when|where|which|what (?:is|was|are|were|year|country|city)|how (?:many|much|old|long|far|tall))\b|\b(?:name (?:a|the|one|two|three|five)|list (?:the|some|five|three)|identify|describe the history|tell me about|find (?:the|out))\b/i
const CREATIVE =
  /\b(?:write|compose|create|generate|design|invent|imagine|come up with|brainstorm|rewrite|paraphrase|edit|translate|summari[sz]e|convert|rephrase|make up)\b/i

export interface AnalyzedResponse {
  sentences: Sentence[]
  claims: ClaimInfo[]
  /** Words of each prose or list sentence as `analyzeClaim` scanned them (null where not reusable). */
  words: (readonly string[] | null)[]
}

export function analyzeResponse(response: string): AnalyzedResponse {
  const sentences = splitSentences(response)
  const words: (readonly string[] | null)[] = new Array(sentences.length).fill(null)
  const claims: ClaimInfo[] = []
  for (let i = 0; i < sentences.length; i++) claims.push(analyzeClaim(sentences[i] as Sentence, words, i))
  return { sentences, claims, words }
}

export function haluFeatures(
  prompt: string,
  response: string,
  analyzed = analyzeResponse(response),
): number[] {
  const { sentences, claims } = analyzed
  const prose = sentences.filter((s) => s.kind === 'prose' || s.kind === 'list').length
  const factual = claims.filter((c) => c.factual)
  // Words of prose, list and heading units (code and tables do not dilute the rates).
  const nWords = claims.reduce((a, c) => a + c.words, 0)
  const per100 = (n: number) => Math.min((100 * n) / Math.max(nWords, 20), 10) / 10
  const specs = factual.map((c) => c.specificity)
  const pw = words(prompt)
  return [
    prose > 0 ? factual.length / prose : 0,
    specs.length > 0 ? specs.reduce((a, b) => a + b, 0) / specs.length : 0,
    specs.length > 0 ? Math.max(...specs) : 0,
    Math.log1p(factual.length) / 3,
    per100(claims.reduce((a, c) => a + c.numbers, 0)),
    per100(claims.reduce((a, c) => a + c.entities, 0)),
    Math.min(
      claims.reduce((a, c) => a + c.dates, 0),
      5,
    ) / 5,
    factual.length > 0 ? factual.filter((c) => c.hedged).length / factual.length : 0,
    /\bas an ai\b|\blanguage model\b/i.test(response) ? 1 : 0,
    EXTERNAL.test(prompt) ? 1 : 0,
    FACT_QUESTION.test(prompt) ? 1 : 0,
    CREATIVE.test(prompt) ? 1 : 0,
    sentences.some((s) => s.kind === 'code') ? 1 : 0,
    sentences.length > 0 ? sentences.filter((s) => s.kind === 'list').length / sentences.length : 0,
    Math.log1p(nWords) / 7,
    Math.log1p(pw.length) / 6,
    prompt.trim().includes('\n') ? 1 : 0,
    Math.min(numbers(prompt, pw).length, 5) / 5,
    Math.min(entities(prompt, isCommonWord, pw).length, 5) / 5,
  ]
}
