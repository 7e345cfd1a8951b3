import { readFileSync } from 'node:fs'
import { type Sentence, splitSentences } from './sentences.ts'
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

/**
 * The table's own words in a Map (a plain object with thousands of keys is slower to probe on the
 * hot path): word -> [idf, common]. Words not in it take the original lookup, so the results are the
 * same for every word.
 */
let idfIndex: { table: Idf; byWord: Map<string, { idf: number; common: boolean }> } | null = null

function indexOf(t: Idf): Map<string, { idf: number; common: boolean }> {
  if (idfIndex?.table === t) return idfIndex.byWord
  const byWord = new Map<string, { idf: number; common: boolean }>()
  for (const word of Object.keys(t.df)) {
    const df = t.df[word] ?? 0
    byWord.set(word, { idf: Math.log((t.docs + 1) / (df + 1)), common: df > t.docs * 0.005 })
  }
  idfIndex = { table: t, byWord }
  return byWord
}

/** Replaces the IDF table (training builds it before featurising). */
export function useIdf(table: Idf): void {
  idfTable = table
}

/** Whether a (stemmed, lower-case) word is in more than 0.5% of the background documents. */
export function isCommonWord(word: string): boolean {
  const t = loadIdf()
  const hit = indexOf(t).get(word)
  if (hit) return hit.common
  return (t.df[word] ?? 0) > t.docs * 0.005
}

/** IDF from the shipped background corpus; unseen words get the maximum (they are rare by definition). */
export function idf(word: string): number {
  const t = loadIdf()
  const hit = indexOf(t).get(word)
  if (hit) return hit.idf
  const df = t.df[word] ?? 0
  return Math.log((t.docs + 1) / (df + 1))
}

/**
 * A source prepared for alignment. Its content words get small integer ids; which sentences hold which
 * word is a bit matrix (a row of `stride` 32-bit words per word id), and bigrams are id pairs, so aligning
 * a claim probes bits instead of string Sets and preparing a source builds no bigram strings.
 */
export interface PreparedSource {
  /** Sentences (code blocks excluded). */
  sentenceCount: number
  sentenceNegation: boolean[]
  /** Content word -> id (every content word of some sentence). */
  ids: Map<string, number>
  /** Bit j of row `id` (words `id * stride ...`) is set when sentence j holds the word. */
  bits: Uint32Array
  stride: number
  /** Bigrams of consecutive content words within a sentence, as `bigramKey(idA, idB)`. */
  bigrams: Set<number>
  numbers: Set<string>
}

function bigramKey(a: number, b: number): number {
  return a * 2097152 + b
}

export function prepareSource(text: string): PreparedSource {
  const split = splitSentences(text)
  const sents = split.filter((s) => s.kind !== 'code')
  // The number words of the whole text come from the sentences' words: sentences are contiguous pieces
  // of the text cut at whitespace, and what splitting drops (list markers of at most 3 characters,
  // heading marks, blank lines) is never a number word, so the set is the same as numbers(text)'s.
  const allWords: string[] = []
  for (const s of split) if (s.kind === 'code') for (const w of words(s.text)) allWords.push(w)
  const n = sents.length
  const stride = Math.max(1, (n + 31) >>> 5)
  const sentenceNegation: boolean[] = []
  const ids = new Map<string, number>()
  const bigrams = new Set<number>()
  // Bit rows grow as words get ids.
  let bits = new Uint32Array(64 * stride)
  for (let j = 0; j < n; j++) {
    const s = sents[j] as Sentence
    const ws = words(s.text)
    for (const w of ws) allWords.push(w)
    const cw = contentWords(s.text, ws)
    sentenceNegation.push(hasNegation(s.text, ws))
    const col = j >>> 5
    const bit = 1 << (j & 31)
    let prev = -1
    for (let i = 0; i < cw.length; i++) {
      const w = cw[i] as string
      let id = ids.get(w)
      if (id === undefined) {
        id = ids.size
        ids.set(w, id)
        if ((id + 1) * stride > bits.length) {
          const grown = new Uint32Array(bits.length * 2)
          grown.set(bits)
          bits = grown
        }
      }
      bits[id * stride + col] = (bits[id * stride + col] as number) | bit
      if (prev >= 0) bigrams.add(bigramKey(prev, id))
      prev = id
    }
  }
  return {
    sentenceCount: n,
    sentenceNegation,
    ids,
    bits,
    stride,
    bigrams,
    numbers: new Set(numbers(text, allWords)),
  }
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
  'recall_plain_doc',
] as const

export type Features = number[]

/** Claim-side features computed once and reused against each source. */
export interface PreparedClaim {
  words: string[]
  weights: number[]
  total: number
  /** Consecutive content-word pairs, flat: [a0, b0, a1, b1, ...]. */
  bigramWords: string[]
  numbers: string[]
  entities: string[]
  negated: boolean
}

/** `ws`, when given, must be `words(text)` (the scorer passes the words claim analysis already scanned). */
export function prepareClaim(text: string, ws: readonly string[] = words(text)): PreparedClaim {
  const cw = contentWords(text, ws)
  const unique = [...new Set(cw)]
  const weights = unique.map(idf)
  const bigramWords: string[] = []
  for (let i = 1; i < cw.length; i++) bigramWords.push(cw[i - 1] as string, cw[i] as string)
  return {
    words: unique,
    weights,
    total: weights.reduce((a, b) => a + b, 0),
    bigramWords,
    numbers: [...new Set(numbers(text, ws))],
    entities: [...new Set(entities(text, undefined, ws))],
    negated: hasNegation(text, ws),
  }
}

/** Indices of the three individually best sentences (-1 where there are fewer than three). */
function topThree(per: Float64Array, n: number): number[] {
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
  return top
}

interface Recalls {
  best1: number
  best3: number
  best3Plain: number
  bestAt: number
  top3: number
  doc: number
}

/**
 * IDF-weighted recall of the claim's words in the best sentence, the best 3-sentence window, the union
 * of the three best sentences and the whole source, and plain recall in the best window; for sources of
 * at most 32 sentences, where a word's sentences are one 32-bit mask.
 */
function recallsOneWord(
  claim: PreparedClaim,
  rows: Int32Array,
  bits: Uint32Array,
  n: number,
  total: number,
): Recalls {
  const k = rows.length
  const masks = new Int32Array(k)
  for (let i = 0; i < k; i++) {
    const row = rows[i] as number
    masks[i] = row >= 0 ? (bits[row] as number) : 0
  }
  const per = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    const bit = 1 << j
    let w = 0
    for (let i = 0; i < k; i++) if ((masks[i] as number) & bit) w += claim.weights[i] as number
    per[j] = w / total
  }
  let best1 = 0
  let best3 = 0
  let best3Plain = 0
  let bestAt = 0
  for (let j = 0; j < n; j++) {
    if ((per[j] as number) > best1) best1 = per[j] as number
    // Sentences j, j+1, j+2 (bits at or past n are never set).
    const window = 7 << j
    let w = 0
    let plain = 0
    for (let i = 0; i < k; i++) {
      if ((masks[i] as number) & window) {
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
  const top = topThree(per, n)
  let topMask = 0
  for (const j of top) if (j >= 0) topMask |= 1 << j
  let top3 = 0
  let doc = 0
  for (let i = 0; i < k; i++) {
    const m = masks[i] as number
    if (m & topMask) top3 += claim.weights[i] as number
    if ((rows[i] as number) >= 0) doc += claim.weights[i] as number
  }
  return { best1, best3, best3Plain, bestAt, top3, doc }
}

/** `recallsOneWord` for sources of any length (a word's sentences span several 32-bit words). */
function recallsWide(
  claim: PreparedClaim,
  rows: Int32Array,
  bits: Uint32Array,
  n: number,
  total: number,
): Recalls {
  const k = rows.length
  const holds = (row: number, j: number): boolean =>
    row >= 0 && ((bits[row + (j >>> 5)] as number) & (1 << (j & 31))) !== 0
  const per = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    let w = 0
    for (let i = 0; i < k; i++) if (holds(rows[i] as number, j)) w += claim.weights[i] as number
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
      const row = rows[i] as number
      if (holds(row, j) || (j + 1 < n && holds(row, j + 1)) || (j + 2 < n && holds(row, j + 2))) {
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
  const top = topThree(per, n)
  let top3 = 0
  let doc = 0
  for (let i = 0; i < k; i++) {
    const row = rows[i] as number
    if (top.some((j) => j >= 0 && holds(row, j))) top3 += claim.weights[i] as number
    // Every word with an id is in some sentence.
    if (row >= 0) doc += claim.weights[i] as number
  }
  return { best1, best3, best3Plain, bestAt, top3, doc }
}

export function alignFeatures(claim: PreparedClaim, src: PreparedSource): Features {
  const n = src.sentenceCount
  const k = claim.words.length
  const total = claim.total || 1
  const { bits, stride } = src
  // Row offset of each claim word in the source's bit matrix, -1 when no sentence holds it.
  const rows = new Int32Array(k)
  for (let i = 0; i < k; i++) {
    const id = src.ids.get(claim.words[i] as string)
    rows[i] = id === undefined ? -1 : id * stride
  }
  const r =
    stride === 1 ? recallsOneWord(claim, rows, bits, n, total) : recallsWide(claim, rows, bits, n, total)
  const { best1, best3, best3Plain, bestAt, top3, doc } = r
  const nBigrams = claim.bigramWords.length / 2
  let bigramHits = 0
  for (let b = 0; b < claim.bigramWords.length; b += 2) {
    const x = src.ids.get(claim.bigramWords[b] as string)
    const y = src.ids.get(claim.bigramWords[b + 1] as string)
    if (x !== undefined && y !== undefined && src.bigrams.has(bigramKey(x, y))) bigramHits++
  }
  // The trivial baseline's own signal: plain content-word recall of the claim in the whole source.
  let plainDoc = 0
  for (let i = 0; i < k; i++) if ((rows[i] as number) >= 0) plainDoc++
  let numHits = 0
  for (const x of claim.numbers) if (src.numbers.has(x)) numHits++
  let entHits = 0
  for (const e of claim.entities) if (src.ids.has(e)) entHits++
  let windowNeg = false
  for (let j = bestAt; j < Math.min(n, bestAt + 3); j++) windowNeg ||= src.sentenceNegation[j] as boolean
  return [
    best1,
    best3,
    top3 / total,
    doc / total,
    best3Plain,
    nBigrams > 0 ? bigramHits / nBigrams : best3,
    claim.numbers.length > 0 ? numHits / claim.numbers.length : 1,
    claim.numbers.length - numHits > 0 ? 1 : 0,
    claim.entities.length > 0 ? entHits / claim.entities.length : 1,
    Math.min(claim.entities.length - entHits, 3) / 3,
    claim.negated !== windowNeg ? 1 : 0,
    Math.log1p(k) / 4,
    Math.log1p(n) / 5,
    k > 0 ? plainDoc / k : 0,
  ]
}
