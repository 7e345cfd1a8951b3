import { SCORE, type ScoreInput, type ScoreValue, syncScorer } from '../scorer.ts'
import { APOLOGIES, HEDGES, SYCOPHANCY } from './lexicon.ts'
import { MultiPhraseMatcher, scanLowerWords } from './tokens.ts'

/**
 * Style markers of one response. Definitions (also in docs/scorer-card.md):
 * - length_tokens: approximate BPE tokens (see `approxTokens`), within ~10% of cl100k on English prose.
 * - hedges: hedge phrases per 100 words (a rate, so long answers are not penalised for length).
 * - apologies, sycophancy: counts of phrases (rare events; a count reads better than a rate).
 * - distinct_1 / distinct_2: distinct word unigrams / bigrams over all of them in the response (1 when
 *   the response has fewer than 2 words).
 * - list_items, md_headings, code_blocks: markdown structure counts.
 */
export const STYLE_VERSION = '1'

const LIST_RE = /^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+\S/gm
const HEADING_RE = /^[ \t]{0,3}#{1,6}[ \t]+\S/gm
const FENCE_RE = /^[ \t]*```/gm

function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 ||
    (c >= 0xc0 && c < 0x3000)
  )
}

/**
 * Approximate token count in one pass: a word run costs 1 token per 6 characters (rounded up; BPE keeps
 * common words whole and splits long ones), every punctuation character costs 1, CJK characters 1 each.
 */
export function approxTokens(text: string): number {
  let tokens = 0
  let run = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // Fast path: a lower-case ASCII letter (most characters) extends the word run.
    if (c >= 97 && c <= 122) {
      run++
      continue
    }
    if (c >= 0x3000) {
      if (run > 0) tokens += Math.ceil(run / 6)
      run = 0
      tokens += 1
    } else if (isWordChar(c)) {
      run++
    } else {
      if (run > 0) tokens += Math.ceil(run / 6)
      run = 0
      if (c > 32) tokens += 1
    }
  }
  if (run > 0) tokens += Math.ceil(run / 6)
  return tokens
}

function count(re: RegExp, text: string): number {
  re.lastIndex = 0
  let n = 0
  while (re.exec(text) !== null) n++
  return n
}

/** distinct-n for n = 1 and 2 over lower-cased words (bigrams keyed as numbers, not strings). */
export function distinctN(words: readonly string[]): { d1: number; d2: number } {
  if (words.length < 2) return { d1: 1, d2: 1 }
  const ids = new Map<string, number>()
  // Distinct bigrams: an open-addressing table of (prev << 20 | id) + 1 in an Int32Array while those
  // keys fit (fewer than 2,048 words), else a Set. Same count either way.
  const n = words.length
  const small = n < 2048
  let size = 16
  while (size < 2 * n) size *= 2
  const table = small ? new Int32Array(size) : null
  const mask = size - 1
  const bi = small ? null : new Set<number>()
  let distinct = 0
  let prev = -1
  for (const w of words) {
    let id = ids.get(w)
    if (id === undefined) {
      id = ids.size
      ids.set(w, id)
    }
    if (prev >= 0) {
      if (table) {
        const key = prev * 1_048_576 + id + 1
        let i = (Math.imul(key, 0x9e3779b1) >>> 0) & mask
        while (true) {
          const k = table[i] as number
          if (k === key) break
          if (k === 0) {
            table[i] = key
            distinct++
            break
          }
          i = (i + 1) & mask
        }
      } else bi?.add(prev * 1_048_576 + id)
    }
    prev = id
  }
  return { d1: ids.size / n, d2: (bi ? bi.size : distinct) / (n - 1) }
}

export interface StyleMarkers {
  lengthTokens: number
  words: number
  hedgesPer100Words: number
  apologies: number
  sycophancy: number
  distinct1: number
  distinct2: number
  listItems: number
  headings: number
  codeBlocks: number
}

/** Hedges, apologies and sycophancy counted in one pass. */
const PHRASES = new MultiPhraseMatcher([HEDGES, APOLOGIES, SYCOPHANCY])

export function styleMarkers(response: string): StyleMarkers {
  const words = scanLowerWords(response)
  const { d1, d2 } = distinctN(words)
  const [hedges = 0, apologies = 0, sycophancy = 0] = PHRASES.counts(words)
  return {
    lengthTokens: approxTokens(response),
    words: words.length,
    hedgesPer100Words: words.length > 0 ? (100 * hedges) / words.length : 0,
    apologies,
    sycophancy,
    distinct1: d1,
    distinct2: d2,
    listItems: count(LIST_RE, response),
    headings: count(HEADING_RE, response),
    codeBlocks: Math.floor(count(FENCE_RE, response) / 2),
  }
}

export function scoreStyle(input: ScoreInput): ScoreValue[] {
  const m = styleMarkers(input.response)
  return [
    { name: SCORE.lengthTokens, value: m.lengthTokens },
    { name: SCORE.hedges, value: m.hedgesPer100Words },
    { name: SCORE.apologies, value: m.apologies },
    { name: SCORE.sycophancy, value: m.sycophancy },
    { name: SCORE.distinct2, value: m.distinct2 },
    { name: 'distinct_1', value: m.distinct1 },
    { name: 'list_items', value: m.listItems },
    { name: 'md_headings', value: m.headings },
    { name: 'code_blocks', value: m.codeBlocks },
  ]
}

export const styleScorer = syncScorer('style', STYLE_VERSION, scoreStyle)
