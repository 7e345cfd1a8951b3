import { readFileSync } from 'node:fs'
import { splitSentences } from './sentences.ts'
import { contentWords, entities, hasNegation, numbers, words } from './text.ts'

/**
 * Alignment features between a claim and a source text: how much of the claim the best-matching window
 * of the source covers (IDF-weighted and plain), bigram overlap, number and entity agreement, negation
 * mismatch. A logistic model over these (model.ts) gives P(source supports claim).
 */

export interface Idf {
  docs: number
  df: Record<string, number>
}

let idfTable: Idf | null = null

function loadIdf(): Idf {
  if (!idfTable) {
    const url = new URL('../../../models/grounding/idf.json', import.meta.url)
    idfTable = JSON.parse(readFileSync(url, 'utf8')) as Idf
  }
  return idfTable
}

/** Replaces the IDF table (training builds it before featurising). */
export function useIdf(table: Idf): void {
  idfTable = table
}

/** Whether a (stemmed, lower-case) word is in more than 0.5% of the background documents. */
export function isCommonWord(word: string): boolean {
  const t = loadIdf()
  return (t.df[word] ?? 0) > t.docs * 0.005
}

/** IDF from the shipped background corpus; unseen words get the maximum (they are rare by definition). */
export function idf(word: string): number {
  const t = loadIdf()
  const df = t.df[word] ?? 0
  return Math.log((t.docs + 1) / (df + 1))
}

export interface PreparedSource {
  sentences: Set<string>[]
  sentenceNegation: boolean[]
  all: Set<string>
  bigrams: Set<string>
  numbers: Set<string>
}

function bigramsOf(cw: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 1; i < cw.length; i++) out.push(`${cw[i - 1]} ${cw[i]}`)
  return out
}

export function prepareSource(text: string): PreparedSource {
  const sents = splitSentences(text).filter((s) => s.kind !== 'code')
  const sentences: Set<string>[] = []
  const sentenceNegation: boolean[] = []
  const all = new Set<string>()
  const bigrams = new Set<string>()
  for (const s of sents) {
    const ws = words(s.text)
    const cw = contentWords(s.text, ws)
    const set = new Set(cw)
    sentences.push(set)
    sentenceNegation.push(hasNegation(s.text, ws))
    for (const w of set) all.add(w)
    for (const b of bigramsOf(cw)) bigrams.add(b)
  }
  return { sentences, sentenceNegation, all, bigrams, numbers: new Set(numbers(text)) }
}

const SOURCE_CACHE_SIZE = 128
const sourceCache = new Map<string, PreparedSource>()

/**
 * `prepareSource` behind a small LRU keyed by the text: retrieval systems cite the same documents in
 * many responses, and preparing a source costs more than aligning a claim with it.
 */
export function prepareSourceCached(text: string): PreparedSource {
  const hit = sourceCache.get(text)
  if (hit) {
    sourceCache.delete(text)
    sourceCache.set(text, hit)
    return hit
  }
  const p = prepareSource(text)
  sourceCache.set(text, p)
  if (sourceCache.size > SOURCE_CACHE_SIZE) sourceCache.delete(sourceCache.keys().next().value as string)
  return p
}

export const FEATURE_NAMES = [
  'recall_idf_best1',
  'recall_idf_best3',
  'recall_idf_top3',
  'recall_idf_doc',
  'recall_plain_best3',
  'bigram_recall',
  'numbers_present',
  'numbers_missing',
  'entities_recall',
  'entities_missing',
  'negation_mismatch',
  'claim_len',
  'source_len',
] as const

export type Features = number[]

/** Claim-side features computed once and reused against each source. */
export interface PreparedClaim {
  words: string[]
  weights: number[]
  total: number
  bigrams: string[]
  numbers: string[]
  entities: string[]
  negated: boolean
}

export function prepareClaim(text: string): PreparedClaim {
  const ws = words(text)
  const cw = contentWords(text, ws)
  const unique = [...new Set(cw)]
  const weights = unique.map(idf)
  return {
    words: unique,
    weights,
    total: weights.reduce((a, b) => a + b, 0),
    bigrams: bigramsOf(cw),
    numbers: [...new Set(numbers(text, ws))],
    entities: [...new Set(entities(text, undefined, ws))],
    negated: hasNegation(text, ws),
  }
}

export function alignFeatures(claim: PreparedClaim, src: PreparedSource): Features {
  const n = src.sentences.length
  const k = claim.words.length
  const total = claim.total || 1
  // Per sentence: IDF-weighted recall of the claim's words.
  const per = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    const s = src.sentences[j] as Set<string>
    let w = 0
    for (let i = 0; i < k; i++) if (s.has(claim.words[i] as string)) w += claim.weights[i] as number
    per[j] = w / total
  }
  let best1 = 0
  let best3 = 0
  let best3Plain = 0
  let bestAt = 0
  for (let j = 0; j < n; j++) {
    if ((per[j] as number) > best1) best1 = per[j] as number
    let w = 0
    let plain = 0
    for (let i = 0; i < k; i++) {
      const word = claim.words[i] as string
      if (
        (src.sentences[j] as Set<string>).has(word) ||
        (j + 1 < n && (src.sentences[j + 1] as Set<string>).has(word)) ||
        (j + 2 < n && (src.sentences[j + 2] as Set<string>).has(word))
      ) {
        w += claim.weights[i] as number
        plain++
      }
    }
    if (w / total > best3) {
      best3 = w / total
      bestAt = j
    }
    if (k > 0 && plain / k > best3Plain) best3Plain = plain / k
  }
  // Union of the three individually best sentences (evidence is often scattered).
  const top = [-1, -1, -1]
  for (let j = 0; j < n; j++) {
    const v = per[j] as number
    if (top[0] === -1 || v > (per[top[0] as number] as number)) {
      top[2] = top[1] as number
      top[1] = top[0] as number
      top[0] = j
    } else if (top[1] === -1 || v > (per[top[1] as number] as number)) {
      top[2] = top[1] as number
      top[1] = j
    } else if (top[2] === -1 || v > (per[top[2] as number] as number)) {
      top[2] = j
    }
  }
  let top3 = 0
  let doc = 0
  for (let i = 0; i < k; i++) {
    const word = claim.words[i] as string
    if (top.some((j) => j >= 0 && (src.sentences[j] as Set<string>).has(word)))
      top3 += claim.weights[i] as number
    if (src.all.has(word)) doc += claim.weights[i] as number
  }
  const bigramHits = claim.bigrams.filter((b) => src.bigrams.has(b)).length
  const numHits = claim.numbers.filter((x) => src.numbers.has(x)).length
  const entHits = claim.entities.filter((e) => src.all.has(e)).length
  let windowNeg = false
  for (let j = bestAt; j < Math.min(n, bestAt + 3); j++) windowNeg ||= src.sentenceNegation[j] as boolean
  return [
    best1,
    best3,
    top3 / total,
    doc / total,
    best3Plain,
    claim.bigrams.length > 0 ? bigramHits / claim.bigrams.length : best3,
    claim.numbers.length > 0 ? numHits / claim.numbers.length : 1,
    claim.numbers.length - numHits > 0 ? 1 : 0,
    claim.entities.length > 0 ? entHits / claim.entities.length : 1,
    Math.min(claim.entities.length - entHits, 3) / 3,
    claim.negated !== windowNeg ? 1 : 0,
    Math.log1p(k) / 4,
    Math.log1p(n) / 5,
  ]
}
