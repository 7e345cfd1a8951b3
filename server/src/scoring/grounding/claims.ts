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
const AI_DISCLAIMER = /\bas an ai\b|\blanguage model\b/i

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

export function analyzeClaim(s: Sentence): ClaimInfo {
  if (s.kind === 'code' || s.kind === 'table') return NONE
  if (s.kind === 'heading') return { ...NONE, words: words(s.text).length }
  const raw0 = s.text
  const text =
    raw0.includes('[') || raw0.includes('【') || raw0.includes('://')
      ? raw0.replace(/\[[^\]\n]{1,24}\]|【[^】\n]{1,12}】|https?:\/\/\S+/g, ' ').trim()
      : raw0.trim()
  const ws = words(text)
  if (ws.length < 4) return { ...NONE, words: ws.length }
  const none = { ...NONE, words: ws.length }
  if (/\?\s*["'”’)]*$/.test(text)) return none
  if (NON_CLAIM_OPENERS.test(text) || AI_DISCLAIMER.test(text)) return none
  const lw = ws.map((w) => (w.includes('\u2019') ? w.toLowerCase().replace(/\u2019/g, "'") : w.toLowerCase()))
  const opinion = OPINION.count(lw) > 0
  const hedged = lw.some((w) => HEDGE_WORDS.has(w)) || HEDGE_PHRASES.count(lw) > 0
  const nums = numbers(text, ws).length
  const dates = (ws.some((w) => MONTH_NAMES.has(w)) ? 1 : 0) + (ws.some((w) => YEAR_TOKEN.test(w)) ? 1 : 0)
  // The first word is capitalised anyway; count it as an entity only when it is not a plain word.
  const ents = entities(text, isCommonWord, ws).length
  const predicate = SPECIFIC_PREDICATE.count(lw) > 0
  const superlative = lw.some((w) => SUPERLATIVES.has(w))
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
