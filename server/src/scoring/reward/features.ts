/**
 * Feature extraction for the built-in reward model: hashed word n-grams of the response, prompt-word x
 * response-kind crosses, and a few dense length / structure / lexical features. Hashing keeps the
 * model a fixed-size Float32 vector and inference a sparse dot product with no vocabulary lookups.
 */
export interface FeatureConfig {
  /** Hashed features live in `[0, 2^hashBits)`; dense features follow. */
  hashBits: number
  /** Word n-grams of the response: 0 = none, 1 = unigrams, 2 = uni + bigrams. */
  wordNgrams: 0 | 1 | 2
  /** Character n-grams of the response (inside words, with boundary marks), e.g. [3, 4]; null = none. */
  charNgrams: [number, number] | null
  /** Cross each content word of the prompt with the response's kind (refusal, question, short, long...). */
  promptCross: boolean
  /** Cross each content word of the prompt with the response's marker words (a small fixed vocabulary). */
  promptMarkerCross: boolean
  /** Dense length, structure and lexical features. */
  dense: boolean
  /** Multiplier on the dense features: a larger value means a weaker L2 penalty on them. */
  denseScale: number
  /**
   * Length-debiased: the length features are fitted in training (so they soak up the length preference of
   * the data) and ignored when scoring, so the rest of the model is not a length proxy.
   */
  lengthDebiased?: boolean
}

/** Dense length features dropped at scoring time when `lengthDebiased`. */
export const LENGTH_FEATURES = [
  'log_words',
  'log_words_sq',
  'log_sentences',
  'log_lines',
  'log_length_ratio',
] as const

export const DENSE_FEATURES = [
  'log_words',
  'log_words_sq',
  'empty',
  'log_sentences',
  'log_lines',
  'list_markers',
  'code',
  'log_question_marks',
  'ends_with_question',
  'refusal_phrase',
  'apology',
  'hedge',
  'prompt_words_covered',
  'response_words_in_prompt',
  'digits',
  'log_exclamations',
  'second_person_rate',
  'log_length_ratio',
  'first_person_rate',
  'url',
] as const

export function featureCount(config: FeatureConfig): number {
  return 2 ** config.hashBits + (config.dense ? DENSE_FEATURES.length : 0)
}

/** Indices of the weights that scoring ignores (the length features of a length-debiased model). */
export function ignoredAtScoring(config: FeatureConfig): number[] {
  if (!config.lengthDebiased || !config.dense) return []
  const base = 2 ** config.hashBits
  return LENGTH_FEATURES.map((f) => base + DENSE_FEATURES.indexOf(f))
}

const STOPWORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with about as into from up down out over under is are was ' +
    'were be been being am do does did doing have has had having i me my we our you your he him his she her it its ' +
    'they them their what which who whom this that these those there here how why when where can could would should ' +
    'will shall may might must so than too very just not no nor only own same some such any all both each few more ' +
    "most other s t don't i'm it's that's can't what's let's"
  ).split(' '),
)

const REFUSAL =
  /\b(i can(?:no|')t|i cannot|i won't|i will not|i'm not (?:able|going|comfortable|sure i should)|i am not (?:able|comfortable)|i (?:do not|don't) (?:think i should|feel comfortable|want to help|support)|as an ai|i'm unable|i am unable|not appropriate|i'd rather not|i would rather not|that's (?:not )?(?:illegal|wrong|harmful)|please don't|i don't (?:think (?:that's|you should)|condone))/
const APOLOGY = /\b(sorry|apolog|my apologies|forgive me)/
const HEDGE =
  /\b(maybe|perhaps|might|possibly|i think|i guess|not sure|i'm not certain|it depends|probably|could be)\b/
const LIST = /(^|\n)\s*(?:[-*\u2022]|\d+[.)])\s+\S/
const CODE = /```|(^|\n) {4}\S/
const URL = /https?:\/\/|www\./
const DIGIT = /\d/
const WORD = /[a-z0-9]+(?:'[a-z]+)?/g

/** Marker words whose presence in the response, crossed with the prompt's words, carries the prompt-conditioned signal. */
const MARKERS = new Set(
  (
    "sorry can't cannot won't illegal dangerous harmful unethical wrong help please police crime safe safety legal " +
    'advice doctor professional recommend suggest here step steps first try use how why what okay sure yes no ' +
    'kill hurt steal drugs weapon gun money'
  ).split(' '),
)

/** FNV-1a over UTF-16 code units, seeded per feature namespace. */
function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ (b + 0x9e3779b9 + (a << 6) + (a >>> 2)), 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

const NS_UNI = 1
const NS_BI = 2
const NS_CHAR = 3
const NS_CROSS = 4
const NS_MARK = 5

export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'")
}

export function words(text: string): string[] {
  return normalizeText(text).match(WORD) ?? []
}

function contentWords(ws: readonly string[], limit: number): string[] {
  return [...contentWordSet(ws, limit)]
}

/** The distinct content words, in first-seen order (a Set, for callers that probe it). */
function contentWordSet(ws: readonly string[], limit: number): Set<string> {
  const seen = new Set<string>()
  for (const w of ws) {
    if (seen.size >= limit) break
    if (w.length > 1 && !STOPWORDS.has(w)) seen.add(w)
  }
  return seen
}

export type Emit = (index: number, value: number) => void

/** Calls `emit(index, value)` for every non-zero feature of (prompt, response); an index may repeat (values add). */
export function forEachFeature(config: FeatureConfig, prompt: string, response: string, emit: Emit): void {
  const mask = 2 ** config.hashBits - 1
  const text = normalizeText(response)
  const rw = text.match(WORD) ?? []
  const n = rw.length
  const norm = 1 / Math.sqrt(Math.max(n, 1))
  if (config.wordNgrams >= 1) {
    let prev = 0
    for (let i = 0; i < n; i++) {
      const h = hashString(rw[i] as string, NS_UNI)
      emit(h & mask, norm)
      if (config.wordNgrams >= 2 && i > 0) emit(mix(prev, h ^ NS_BI) & mask, norm)
      prev = h
    }
  }
  if (config.charNgrams) {
    const [lo, hi] = config.charNgrams
    let count = 0
    for (const w of rw) count += Math.max(w.length + 2 - lo + 1, 0)
    const cnorm = 1 / Math.sqrt(Math.max(count, 1))
    for (const w of rw) {
      const padded = `<${w}>`
      for (let k = lo; k <= hi; k++) {
        for (let i = 0; i + k <= padded.length; i++)
          emit(hashString(padded.slice(i, i + k), NS_CHAR) & mask, cnorm)
      }
    }
  }
  const refusal = REFUSAL.test(text)
  // Tested at most once (the prompt crosses and the dense features both use it).
  let apologyHit: boolean | undefined
  const apology = (): boolean => {
    apologyHit ??= APOLOGY.test(text)
    return apologyHit
  }
  const pw = config.promptCross || config.promptMarkerCross || config.dense ? words(prompt) : []
  const pContent = config.promptCross || config.promptMarkerCross || config.dense ? contentWords(pw, 24) : []
  if (config.promptCross && pContent.length > 0) {
    const kinds: number[] = [0]
    if (refusal) kinds.push(1)
    if (text.includes('?')) kinds.push(2)
    if (n < 15) kinds.push(3)
    else if (n > 80) kinds.push(4)
    if (apology()) kinds.push(5)
    const pnorm = 1 / Math.sqrt(pContent.length)
    for (const p of pContent) {
      const hp = hashString(p, NS_CROSS)
      for (const k of kinds) emit(mix(hp, k) & mask, pnorm)
    }
  }
  if (config.promptMarkerCross && pContent.length > 0) {
    const marks = new Set<string>()
    for (const w of rw) if (MARKERS.has(w)) marks.add(w)
    if (marks.size > 0) {
      const mnorm = 1 / Math.sqrt(pContent.length * marks.size)
      for (const p of pContent) {
        const hp = hashString(p, NS_MARK)
        for (const m of marks) emit(mix(hp, hashString(m, NS_MARK)) & mask, mnorm)
      }
    }
  }
  if (config.dense)
    denseFeatures(mask + 1, config.denseScale, text, rw, pw, pContent, refusal, apology(), emit)
}

function denseFeatures(
  base: number,
  scale: number,
  text: string,
  rw: readonly string[],
  pw: readonly string[],
  pContent: readonly string[],
  refusal: boolean,
  apology: boolean,
  emit: Emit,
): void {
  const n = rw.length
  const logWords = Math.log1p(n) / 5
  // The same words as contentWords(rw, 200), kept as the Set it is built in (iteration order is the same).
  const rSet = contentWordSet(rw, 200)
  const pSet = new Set(pContent)
  let covered = 0
  for (const p of pContent) if (rSet.has(p)) covered++
  let inPrompt = 0
  for (const r of rSet) if (pSet.has(r)) inPrompt++
  let you = 0
  let me = 0
  for (const w of rw) {
    if (w === 'you' || w === 'your') you++
    else if (w === 'i' || w === 'me' || w === 'my') me++
  }
  let sentences = 0
  let lines = 1
  let questions = 0
  let exclaims = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 46 || c === 33 || c === 63) sentences++
    if (c === 10) lines++
    if (c === 63) questions++
    if (c === 33) exclaims++
  }
  const values = [
    logWords,
    logWords * logWords,
    n === 0 ? 1 : 0,
    Math.log1p(sentences) / 3,
    Math.log1p(lines) / 3,
    LIST.test(text) ? 1 : 0,
    CODE.test(text) ? 1 : 0,
    Math.log1p(questions) / 2,
    text.trimEnd().endsWith('?') ? 1 : 0,
    refusal ? 1 : 0,
    apology ? 1 : 0,
    HEDGE.test(text) ? 1 : 0,
    pContent.length > 0 ? covered / pContent.length : 0,
    rSet.size > 0 ? inPrompt / rSet.size : 0,
    DIGIT.test(text) ? 1 : 0,
    Math.log1p(exclaims) / 2,
    n > 0 ? (you / n) * 10 : 0,
    (Math.log1p(n) - Math.log1p(pw.length)) / 3,
    n > 0 ? (me / n) * 10 : 0,
    URL.test(text) ? 1 : 0,
  ]
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    if (v !== 0) emit(base + i, v * scale)
  }
}

/** Sparse features of one response, materialised (training keeps these; inference uses `forEachFeature`). */
export interface SparseVector {
  idx: Int32Array
  val: Float32Array
}

export function featurize(config: FeatureConfig, prompt: string, response: string): SparseVector {
  const idx: number[] = []
  const val: number[] = []
  forEachFeature(config, prompt, response, (i, v) => {
    idx.push(i)
    val.push(v)
  })
  return { idx: Int32Array.from(idx), val: Float32Array.from(val) }
}
