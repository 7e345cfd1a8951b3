import { scanWords } from '../style/tokens.ts'

/** Word-level helpers shared by claim detection and source alignment. */

const STOP = new Set(
  (
    'a an the and or but if then else of to in on at by for with from as into onto about over under than ' +
    'is are was were be been being am do does did done has have had having will would shall should can could ' +
    "may might must this that these those it its it's they them their theirs he him his she her hers we us our " +
    'you your yours i me my mine which who whom whose what when where why how there here so such also very ' +
    'not no nor only just more most some any all each both few many much other another same own too s t ' +
    'up down out off again further once during before after above below between through while because until ' +
    'against among within without upon via per one ever even still yet well'
  ).split(' '),
)

const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'without',
  "n't",
])

export function words(text: string): string[] {
  return scanWords(text)
}

/** Cheap suffix stripping so "founded"/"founding"/"founds" meet; not a real stemmer, on purpose. */
export function stem(w: string): string {
  if (w.length <= 4) return w
  if (w.endsWith('ies') && w.length > 5) return `${w.slice(0, -3)}y`
  if (w.endsWith('ing') && w.length > 6) return w.slice(0, -3)
  if (w.endsWith('ed') && w.length > 5) return w.slice(0, -2)
  if (w.endsWith('es') && w.length > 5) return w.slice(0, -2)
  if (w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1)
  if (w.endsWith('ly') && w.length > 6) return w.slice(0, -2)
  return w
}

export function isStop(w: string): boolean {
  return STOP.has(w)
}

/** Lower-cased, stemmed content words (stop words and 1-letter words dropped). */
export function contentWords(text: string, ws: readonly string[] = words(text)): string[] {
  const out: string[] = []
  for (const word of ws) {
    let w = word.toLowerCase()
    const n = w.length
    // Possessive 's: "Eiffel's" -> "eiffel".
    if (
      n > 2 &&
      w.charCodeAt(n - 1) === 115 &&
      (w.charCodeAt(n - 2) === 39 || w.charCodeAt(n - 2) === 0x2019)
    ) {
      w = w.slice(0, -2)
    }
    if (w.length < 2 || STOP.has(w)) continue
    out.push(stem(w))
  }
  return out
}

const NUMBER_WORDS = new Map<string, string>(
  Object.entries({
    one: '1',
    two: '2',
    three: '3',
    four: '4',
    five: '5',
    six: '6',
    seven: '7',
    eight: '8',
    nine: '9',
    ten: '10',
    eleven: '11',
    twelve: '12',
    twenty: '20',
    hundred: '100',
    thousand: '1000',
    million: '1000000',
    billion: '1000000000',
  }),
)
const HAS_DIGIT = /\d/
const NUMBER_INITIALS = new Set([...NUMBER_WORDS.keys()].map((w) => w.charCodeAt(0)))

/** Numbers in the text, normalised ("1,200" -> "1200", "3.50" -> "3.5"); number words up to twelve. */
export function numbers(text: string, ws: readonly string[] = words(text)): string[] {
  const out: string[] = []
  if (HAS_DIGIT.test(text)) {
    for (const m of text.matchAll(/\d[\d,]*(?:\.\d+)?/g)) {
      let n = m[0].replace(/,(?=\d{3}\b)/g, '').replace(/,$/, '')
      if (n.includes('.')) n = n.replace(/0+$/, '').replace(/\.$/, '')
      out.push(n)
    }
  }
  for (const w of ws) {
    // Cheap pre-filter before lower-casing: number words are 3-8 letters starting with one of these.
    if (w.length < 3 || w.length > 8 || !NUMBER_INITIALS.has(w.charCodeAt(0) | 32)) continue
    const v = NUMBER_WORDS.get(w.toLowerCase())
    if (v) out.push(v)
  }
  return out
}

/**
 * Capitalised terms not at the start of the sentence (names, places, organisations, titles), lower-cased
 * and stemmed for matching. Sentence-initial words count only when they are not common words.
 */
export function entities(
  text: string,
  isCommon: (stemmed: string) => boolean = () => false,
  ws: readonly string[] = words(text),
): string[] {
  const out: string[] = []
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as string
    const c = w.charCodeAt(0)
    if (c < 128 ? c < 65 || c > 90 : !/^\p{Lu}/u.test(w)) continue
    const low = w.toLowerCase()
    if (STOP.has(low) || low === 'i') continue
    const stemmed = stem(low.replace(/['’]s$/, ''))
    // A capital at the start of a sentence is grammar, not a name, unless the word is rare.
    if (i === 0 && (w.length < 3 || isCommon(stemmed))) continue
    out.push(stemmed)
  }
  return out
}

export function hasNegation(text: string, ws: readonly string[] = words(text)): boolean {
  for (const w of ws) {
    if (w.endsWith("n't") || w.endsWith('n’t')) return true
    // Every negation word starts with n or w: lower-case only those.
    const c = w.charCodeAt(0) | 32
    if ((c === 110 || c === 119) && NEGATIONS.has(w.toLowerCase())) return true
  }
  return false
}
