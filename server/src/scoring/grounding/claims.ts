import { PhraseMatcher } from '../style/tokens.ts'
import { isCommonWord } from './align.ts'
import type { Sentence } from './sentences.ts'
import { entities, numbers, words } from './text.ts'

/**
 * Which sentences make a checkable factual claim: declarative (not a question, greeting, instruction
 * to the reader or hedged opinion) and carrying checkable content: a number, a date, a named entity or
 * a specific predicate ("was founded", "is located", "invented"...).
 */
const NON_CLAIM_OPENERS =
  /^(?:sure|certainly|of course|absolutely|hi|hello|hey|thanks|thank you|you're welcome|i hope|hope this|let me|feel free|please|here (?:is|are|'s)|below (?:is|are)|in summary|in conclusion|overall|to summarize|good luck|happy to|glad to|note that|remember)\b/i
// Matched over lower-cased words in one pass each (PhraseMatcher), not as regexes over the text.
const OPINION = new PhraseMatcher([
  'i think',
  'i believe',
  'i feel',
  'in my opinion',
  'in my view',
  'personally',
  'i would say',
  'i would suggest',
  'i would recommend',
  "i'd say",
  "i'd suggest",
  "i'd recommend",
  'i recommend',
  'i suggest',
  'you should',
  'you could',
  'you might',
  'you can',
  'we can',
  "let's",
])
const HEDGE_WORDS = new Set(
  'maybe perhaps possibly probably might may could likely unlikely seem seems appear appears approximately about around roughly estimated reportedly generally typically usually often some'.split(
    ' ',
  ),
)
const HEDGE_PHRASES = new PhraseMatcher([
  "i'm not sure",
  'not sure',
  'to my knowledge',
  'as far as i know',
  'if i recall',
  'can be',
])
const PAST =
  'born founded established built released published elected named awarded discovered invented created designed written directed signed killed married appointed launched introduced'
const PRESENT = [
  'located',
  'headquartered',
  'situated',
  'based',
  'home to',
  'the capital',
  'the largest',
  'the smallest',
  'the first',
  'the only',
  'made of',
  'composed of',
  'known as',
]
const SPECIFIC_PREDICATE = new PhraseMatcher([
  ...PAST.split(' ').flatMap((v) => [`was ${v}`, `were ${v}`]),
  ...PRESENT.flatMap((v) => [`is ${v}`, `are ${v}`]),
  ...'invented discovered founded won defeated wrote directed composed painted located measures weighs contains'.split(
    ' ',
  ),
  'consists of',
])
const SUPERLATIVES = new Set(
  'first last only largest smallest biggest highest lowest longest shortest oldest newest fastest most least best worst record unique always never every all'.split(
    ' ',
  ),
)
const MONTH_NAMES = new Set(
  'January February March April May June July August September October November December'.split(' '),
)
const YEAR_TOKEN = /^(?:1[5-9]\d\d|20\d\d)s?$/
/** `YEAR_TOKEN.test(w)`, with a char-code pre-filter (4-5 characters starting with 1 or 2). */
function isYearToken(w: string): boolean {
  if (w.length !== 4 && w.length !== 5) return false
  const c = w.charCodeAt(0)
  return (c === 49 || c === 50) && YEAR_TOKEN.test(w)
}
const AI_DISCLAIMER = /\bas an ai\b|\blanguage model\b/i

const F_HEDGE = 1
const F_SUPERLATIVE = 2
const F_OPINION = 4
const F_HEDGE_PHRASE = 8
const F_PREDICATE = 16
/** Lower-cased word -> which of the word lists above it belongs to (as a phrase's first word, for matchers). */
const WORD_FLAGS = new Map<string, number>()
function flagWords(ws: Iterable<string>, flag: number): void {
  for (const w of ws) WORD_FLAGS.set(w, (WORD_FLAGS.get(w) ?? 0) | flag)
}
flagWords(HEDGE_WORDS, F_HEDGE)
flagWords(SUPERLATIVES, F_SUPERLATIVE)
flagWords(OPINION.firstWords(), F_OPINION)
flagWords(HEDGE_PHRASES.firstWords(), F_HEDGE_PHRASE)
flagWords(SPECIFIC_PREDICATE.firstWords(), F_PREDICATE)

export interface ClaimInfo {
  /** Checkable factual claim (declarative with checkable content). */
  factual: boolean
  /** How specific and confident the claim is, 0..1 (used to weight claims when no source exists). */
  specificity: number
  numbers: number
  entities: number
  dates: number
  superlative: boolean
  hedged: boolean
  /** Words in the sentence (citation markers and URLs removed). */
  words: number
}

const NONE: ClaimInfo = {
  factual: false,
  specificity: 0,
  numbers: 0,
  entities: 0,
  dates: 0,
  superlative: false,
  hedged: false,
  words: 0,
}

/**
 * Claim analysis of one sentence. When `keepWords` is given, the sentence's words (citation markers and
 * URLs removed) are stored at `keepWords[index]` if they equal those of the scorer's claim text (no `【`
 * marker, whose length limit differs there), else null: the scorer reuses them instead of re-scanning.
 */
export function analyzeClaim(s: Sentence, keepWords?: (readonly string[] | null)[], index = 0): ClaimInfo {
  if (s.kind === 'code' || s.kind === 'table') return NONE
  if (s.kind === 'heading') return { ...NONE, words: words(s.text).length }
  const raw0 = s.text
  const text =
    raw0.includes('[') || raw0.includes('【') || raw0.includes('://')
      ? raw0.replace(/\[[^\]\n]{1,24}\]|【[^】\n]{1,12}】|https?:\/\/\S+/g, ' ').trim()
      : raw0.trim()
  const ws = words(text)
  if (keepWords) keepWords[index] = raw0.includes('【') ? null : ws
  if (ws.length < 4) return { ...NONE, words: ws.length }
  const none = { ...NONE, words: ws.length }
  if (/\?\s*["'”’)]*$/.test(text)) return none
  if (NON_CLAIM_OPENERS.test(text) || AI_DISCLAIMER.test(text)) return none
  // One pass: lower-cased words, and which word lists occur (one Map probe per word). A phrase matcher
  // runs only when one of its phrases' first words occurs (otherwise it cannot match).
  const lw = new Array<string>(ws.length)
  let flags = 0
  let month = false
  let year = false
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as string
    const l = w.includes('\u2019') ? w.toLowerCase().replace(/\u2019/g, "'") : w.toLowerCase()
    lw[i] = l
    flags |= WORD_FLAGS.get(l) ?? 0
    // Month names are capitalised (so start with A-Z): skip the Set probe for other words.
    if (!month) {
      const c = w.charCodeAt(0)
      if (c >= 65 && c <= 90 && MONTH_NAMES.has(w)) month = true
    }
    if (!year && isYearToken(w)) year = true
  }
  const opinion = (flags & F_OPINION) !== 0 && OPINION.count(lw) > 0
  const hedged = (flags & F_HEDGE) !== 0 || ((flags & F_HEDGE_PHRASE) !== 0 && HEDGE_PHRASES.count(lw) > 0)
  const nums = numbers(text, ws).length
  const dates = (month ? 1 : 0) + (year ? 1 : 0)
  // The first word is capitalised anyway; count it as an entity only when it is not a plain word.
  const ents = entities(text, isCommonWord, ws).length
  const predicate = (flags & F_PREDICATE) !== 0 && SPECIFIC_PREDICATE.count(lw) > 0
  const superlative = (flags & F_SUPERLATIVE) !== 0
  const checkable = nums > 0 || dates > 0 || ents > 0 || predicate
  if (!checkable || opinion) return { ...none, hedged, numbers: nums, entities: ents, dates }
  const raw = 0.5 * Math.min(nums, 3) + 0.8 * dates + 0.35 * Math.min(ents, 4) + (predicate ? 0.4 : 0)
  const specificity = (1 - Math.exp(-raw)) * (superlative ? 1 : 0.85) * (hedged ? 0.4 : 1)
  return {
    factual: true,
    specificity,
    numbers: nums,
    entities: ents,
    dates,
    superlative,
    hedged,
    words: ws.length,
  }
}
