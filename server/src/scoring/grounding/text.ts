import { forEachWordSpan, scanWords } from '../style/tokens.ts'

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

/**
 * Lower-cased, stemmed content word of one scanned word, or '' when it is dropped (stop word, 1 letter).
 * Words repeat across responses and sources, so the result is memoised per word string (bounded).
 */
function contentWordOf(word: string): string {
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
  if (w.length < 2 || STOP.has(w)) return ''
  return stem(w)
}

const CONTENT_MEMO_MAX = 50_000
const contentMemo = new Map<string, string>()

/** Lower-cased, stemmed content words (stop words and 1-letter words dropped). */
export function contentWords(text: string, ws: readonly string[] = words(text)): string[] {
  const out: string[] = []
  for (const word of ws) {
    let c = contentMemo.get(word)
    if (c === undefined) {
      c = contentWordOf(word)
      if (contentMemo.size >= CONTENT_MEMO_MAX) contentMemo.clear()
      contentMemo.set(word, c)
    }
    if (c !== '') out.push(c)
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
/** Lower-case ASCII first letters of the number words, as a 128-entry table (1 = some word starts so). */
const NUMBER_INITIAL = new Uint8Array(128)
for (const w of NUMBER_WORDS.keys()) NUMBER_INITIAL[w.charCodeAt(0)] = 1

/** Whether a word starting with char code `c` can be a number word (ASCII letters only, either case). */
function numberInitial(c: number): boolean {
  return NUMBER_INITIAL[c | 32] === 1
}

/**
 * (first letter, length, last letter) of the number words, as one small integer each: a cheap second
 * pre-filter before lower-casing a candidate (no character outside ASCII lower-cases to one of these
 * letters, so a number word in any case passes).
 */
const NUMBER_SHAPES = new Set([...NUMBER_WORDS.keys()].map((w) => shapeKey(w, 0, w.length)))
function shapeKey(text: string, start: number, end: number): number {
  return ((text.charCodeAt(start) | 32) << 12) | ((end - start) << 8) | (text.charCodeAt(end - 1) | 32)
}

/** Numbers in the text, normalised ("1,200" -> "1200", "3.50" -> "3.5"); number words up to twelve. */
export function numbers(text: string, ws?: readonly string[]): string[] {
  const out: string[] = []
  if (HAS_DIGIT.test(text)) digitNumbers(text, out)
  if (ws) {
    for (const w of ws) {
      // Cheap pre-filter before lower-casing: number words are 3-8 letters starting with one of these.
      if (w.length < 3 || w.length > 8 || !numberInitial(w.charCodeAt(0))) continue
      if (!NUMBER_SHAPES.has(shapeKey(w, 0, w.length))) continue
      const v = NUMBER_WORDS.get(w.toLowerCase())
      if (v) out.push(v)
    }
  } else {
    // The same words as words(text), but only candidates are turned into strings.
    forEachWordSpan(text, (start, end) => {
      const len = end - start
      if (len < 3 || len > 8 || !numberInitial(text.charCodeAt(start))) return
      if (!NUMBER_SHAPES.has(shapeKey(text, start, end))) return
      const v = NUMBER_WORDS.get(text.slice(start, end).toLowerCase())
      if (v) out.push(v)
    })
  }
  return out
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

/**
 * Pushes the normalised matches of /\d[\d,]*(?:\.\d+)?/g, found by a char-code scan (the regex never
 * backtracks here: the maximal [\d,]* run, then an optional "." with digits). Plain digit runs need
 * no normalisation; the rest take the original replaces.
 */
function digitNumbers(text: string, out: string[]): void {
  const len = text.length
  let i = 0
  while (i < len) {
    if (!isDigit(text.charCodeAt(i))) {
      i++
      continue
    }
    const start = i
    let plain = true
    i++
    for (; i < len; i++) {
      const c = text.charCodeAt(i)
      if (c === 44) plain = false
      else if (!isDigit(c)) break
    }
    if (i + 1 < len && text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
      plain = false
      i += 2
      while (i < len && isDigit(text.charCodeAt(i))) i++
    }
    const m = text.slice(start, i)
    if (plain) {
      out.push(m)
      continue
    }
    let n = m.replace(/,(?=\d{3}\b)/g, '').replace(/,$/, '')
    if (n.includes('.')) n = n.replace(/0+$/, '').replace(/\.$/, '')
    out.push(n)
  }
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
    const n = low.length
    // Possessive 's or ’s dropped before stemming (checked on char codes: no regex per capitalised word).
    const possessive =
      n >= 2 &&
      low.charCodeAt(n - 1) === 115 &&
      (low.charCodeAt(n - 2) === 39 || low.charCodeAt(n - 2) === 0x2019)
    const stemmed = stem(possessive ? low.slice(0, -2) : low)
    // A capital at the start of a sentence is grammar, not a name, unless the word is rare.
    if (i === 0 && (w.length < 3 || isCommon(stemmed))) continue
    out.push(stemmed)
  }
  return out
}

export function hasNegation(text: string, ws: readonly string[] = words(text)): boolean {
  for (const w of ws) {
    // Ends with "n't" or "n’t" (case-sensitive, as endsWith), on char codes.
    const n = w.length
    if (
      n >= 3 &&
      w.charCodeAt(n - 1) === 116 &&
      w.charCodeAt(n - 3) === 110 &&
      (w.charCodeAt(n - 2) === 39 || w.charCodeAt(n - 2) === 0x2019)
    )
      return true
    // Every negation word starts with n or w: lower-case only those.
    const c = w.charCodeAt(0) | 32
    if ((c === 110 || c === 119) && NEGATIONS.has(w.toLowerCase())) return true
  }
  return false
}
