import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { alignFeatures, idf, prepareClaim, prepareSource } from '../../src/scoring/grounding/align.ts'
import { splitSentences } from '../../src/scoring/grounding/sentences.ts'
import { contentWords, hasNegation, numbers, words } from '../../src/scoring/grounding/text.ts'
import { FeatureBuilder, interleave } from '../../src/scoring/ml/index.ts'
import { responseFeatures } from '../../src/scoring/safety/features.ts'
import { distinctN, styleMarkers } from '../../src/scoring/style/index.ts'
import { APOLOGIES, HEDGES, SYCOPHANCY } from '../../src/scoring/style/lexicon.ts'
import { PhraseMatcher, scanWords } from '../../src/scoring/style/tokens.ts'

/**
 * The scorers' fast paths (bit-matrix alignment, char-code number scanning, ASCII lower-casing, one-pass
 * phrase counts, prefetching dot products) against straightforward reference forms kept here, over
 * real text: HaluEval answers and WiCE evidence (including sources of more than 32 sentences).
 */
const DATA = path.resolve(import.meta.dirname, '../../../../shared/data')

function jsonl<T>(file: string, limit: number): T[] {
  return fs
    .readFileSync(path.join(DATA, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, limit)
    .map((l) => JSON.parse(l) as T)
}

const answers = jsonl<{ chatgpt_response: string }>('halueval/general_data.jsonl', 1500).map(
  (r) => r.chatgpt_response,
)
const wice = jsonl<{ claim: string; evidence: string[] }>('wice/claim_dev.jsonl', 349)

// Reference forms (the code before the fast paths).

function numbersRef(text: string, ws: readonly string[] = words(text)): string[] {
  const NUMBER_WORDS: Record<string, string> = {
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
  }
  const out: string[] = []
  for (const m of text.matchAll(/\d[\d,]*(?:\.\d+)?/g)) {
    let n = m[0].replace(/,(?=\d{3}\b)/g, '').replace(/,$/, '')
    if (n.includes('.')) n = n.replace(/0+$/, '').replace(/\.$/, '')
    out.push(n)
  }
  for (const w of ws) {
    const v = Object.hasOwn(NUMBER_WORDS, w.toLowerCase()) ? NUMBER_WORDS[w.toLowerCase()] : undefined
    if (v) out.push(v)
  }
  return out
}

function lowerWordsRef(text: string): string[] {
  return scanWords(text).map((w) =>
    w.includes('\u2019') ? w.toLowerCase().replace(/\u2019/g, "'") : w.toLowerCase(),
  )
}

interface SetSource {
  sentences: Set<string>[]
  negation: boolean[]
  all: Set<string>
  bigrams: Set<string>
  numbers: Set<string>
}

function prepareSourceRef(text: string): SetSource {
  const src: SetSource = {
    sentences: [],
    negation: [],
    all: new Set(),
    bigrams: new Set(),
    numbers: new Set(),
  }
  for (const s of splitSentences(text).filter((x) => x.kind !== 'code')) {
    const ws = words(s.text)
    const cw = contentWords(s.text, ws)
    const set = new Set(cw)
    src.sentences.push(set)
    src.negation.push(hasNegation(s.text, ws))
    for (const w of set) src.all.add(w)
    for (let i = 1; i < cw.length; i++) src.bigrams.add(`${cw[i - 1]} ${cw[i]}`)
  }
  src.numbers = new Set(numbersRef(text))
  return src
}

function alignRef(claimText: string, src: SetSource): number[] {
  const c = prepareClaim(claimText)
  const cw = contentWords(claimText)
  const bigrams = cw.slice(1).map((w, i) => `${cw[i]} ${w}`)
  const n = src.sentences.length
  const k = c.words.length
  const total = c.total || 1
  const has = (j: number, w: string) => j < n && (src.sentences[j] as Set<string>).has(w)
  const per = src.sentences.map(
    (s) => c.words.reduce((a, w, i) => (s.has(w) ? a + (c.weights[i] ?? 0) : a), 0) / total,
  )
  let [best1, best3, best3Plain, bestAt] = [0, 0, 0, 0]
  for (let j = 0; j < n; j++) {
    if ((per[j] ?? 0) > best1) best1 = per[j] ?? 0
    let w = 0
    let plain = 0
    c.words.forEach((word, i) => {
      if (has(j, word) || has(j + 1, word) || has(j + 2, word)) {
        w += c.weights[i] ?? 0
        plain++
      }
    })
    if (w / total > best3) [best3, bestAt] = [w / total, j]
    if (k > 0 && plain / k > best3Plain) best3Plain = plain / k
  }
  const top = [-1, -1, -1]
  for (let j = 0; j < n; j++) {
    const v = per[j] ?? 0
    if (top[0] === -1 || v > (per[top[0] ?? 0] ?? 0))
      [top[2], top[1], top[0]] = [top[1] ?? -1, top[0] ?? -1, j]
    else if (top[1] === -1 || v > (per[top[1] ?? 0] ?? 0)) [top[2], top[1]] = [top[1] ?? -1, j]
    else if (top[2] === -1 || v > (per[top[2] ?? 0] ?? 0)) top[2] = j
  }
  let top3 = 0
  let doc = 0
  c.words.forEach((word, i) => {
    if (top.some((j) => j >= 0 && has(j, word))) top3 += c.weights[i] ?? 0
    if (src.all.has(word)) doc += c.weights[i] ?? 0
  })
  const bigramHits = bigrams.filter((b) => src.bigrams.has(b)).length
  const numHits = c.numbers.filter((x) => src.numbers.has(x)).length
  const entHits = c.entities.filter((e) => src.all.has(e)).length
  let windowNeg = false
  for (let j = bestAt; j < Math.min(n, bestAt + 3); j++) windowNeg ||= src.negation[j] ?? false
  return [
    best1,
    best3,
    top3 / total,
    doc / total,
    best3Plain,
    bigrams.length > 0 ? bigramHits / bigrams.length : best3,
    c.numbers.length > 0 ? numHits / c.numbers.length : 1,
    c.numbers.length - numHits > 0 ? 1 : 0,
    c.entities.length > 0 ? entHits / c.entities.length : 1,
    Math.min(c.entities.length - entHits, 3) / 3,
    c.negated !== windowNeg ? 1 : 0,
    Math.log1p(k) / 4,
    Math.log1p(n) / 5,
    k > 0 ? c.words.filter((w) => src.all.has(w)).length / k : 0,
  ]
}

describe('scorer fast paths equal their reference forms on real text', () => {
  it('numbers: char-code digit scan and span scan equal the regex form', () => {
    const texts = [
      ...answers,
      ...wice.flatMap((r) => r.evidence),
      'In 1,200,000.50 and 3.14, 1,23, 12,, 007.000 and v1.2.3; one hundred, Twelve, 4,567,890. ONE tWo THREE BILLION nine-ten',
    ]
    let withDigits = 0
    for (const t of texts) {
      const ref = numbersRef(t)
      if (/\d/.test(t)) withDigits++
      expect(numbers(t)).toEqual(ref)
      expect(numbers(t, words(t))).toEqual(ref)
    }
    expect(withDigits).toBeGreaterThan(300)
  })

  it('alignment features over bit matrices equal the Set-based form (short and >32-sentence sources)', () => {
    let wide = 0
    let compared = 0
    for (const r of wice) {
      const texts = [r.evidence.join(' '), r.evidence.slice(0, 4).join('\n')]
      for (const text of texts) {
        const fast = prepareSource(text)
        const ref = prepareSourceRef(text)
        if (fast.sentenceCount > 32) wide++
        for (const claim of [
          r.claim,
          ...splitSentences(r.evidence.slice(0, 2).join(' ')).map((s) => s.text),
        ]) {
          const a = alignFeatures(prepareClaim(claim), fast)
          const b = alignRef(claim, ref)
          expect(a.length).toBe(b.length)
          for (let i = 0; i < a.length; i++)
            expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-12)
          compared++
        }
      }
    }
    // A source's number set (number words taken from its sentences' words) equals the whole-text scan,
    // also with list markers, headings, tables and code blocks.
    const shaped = [
      '1. one thing\n- Two more\na) three\n## Four hundred\n\n```\nten = 10\n```\n| eleven | 12 |\nSeven.Eight',
      ...answers.slice(0, 300),
      ...wice.map((r) => r.evidence.join('\n')),
    ]
    for (const text of shaped) expect(prepareSource(text).numbers).toEqual(new Set(numbersRef(text)))
    expect(wide).toBeGreaterThan(20)
    expect(compared).toBeGreaterThan(1000)
    // The IDF lookup goes through a Map of the table's words; unseen words still get the maximum.
    const table = JSON.parse(
      fs.readFileSync(path.resolve(import.meta.dirname, '../../models/grounding/idf.json'), 'utf8'),
    ) as { docs: number; df: Record<string, number> }
    const sample = Object.keys(table.df).slice(0, 500)
    for (const w of [...sample, 'zzqxunseenword'])
      expect(idf(w)).toBe(Math.log((table.docs + 1) / ((table.df[w] ?? 0) + 1)))
  })

  it('style: ASCII lower-casing and the one-pass phrase counts give the reference counts', () => {
    const hedge = new PhraseMatcher(HEDGES)
    const apology = new PhraseMatcher(APOLOGIES)
    const sycophant = new PhraseMatcher(SYCOPHANCY)
    const texts = [
      ...answers,
      "I'm sorry, but I can't. Great question! Perhaps it’s fine — I THINK so.",
      'Ünïcode İs Straße’s',
    ]
    let hedged = 0
    for (const t of texts) {
      const ws = lowerWordsRef(t)
      const m = styleMarkers(t)
      expect(m.words).toBe(ws.length)
      const h = hedge.count(ws)
      if (h > 0) hedged++
      expect(m.hedgesPer100Words).toBe(ws.length > 0 ? (100 * h) / ws.length : 0)
      expect(m.apologies).toBe(apology.count(ws))
      expect(m.sycophancy).toBe(sycophant.count(ws))
    }
    expect(hedged).toBeGreaterThan(50)
  })

  it('distinct-n over a typed hash table equals the Set form (short and over 2,048 words)', () => {
    const distinctRef = (ws: readonly string[]) => {
      if (ws.length < 2) return { d1: 1, d2: 1 }
      const bi = new Set(ws.slice(1).map((w, i) => `${ws[i]} ${w}`))
      return { d1: new Set(ws).size / ws.length, d2: bi.size / (ws.length - 1) }
    }
    const long = lowerWordsRef(answers.slice(0, 60).join(' '))
    expect(long.length).toBeGreaterThan(2048)
    for (const ws of [...answers.map(lowerWordsRef), long, long.slice(0, 2047), long.slice(0, 2048)])
      expect(distinctN(ws)).toEqual(distinctRef(ws))
  })

  it('dotMany (with its prefetch pass) equals one dot product per head', () => {
    const b = new FeatureBuilder(18)
    const heads = Array.from({ length: 5 }, (_, h) => {
      const w = new Float32Array(1 << 18)
      for (let i = 0; i < w.length; i++) w[i] = Math.sin(i * (h + 1) * 0.37)
      return w
    })
    const inter = interleave(heads)
    const out = new Float64Array(heads.length)
    for (const t of answers.slice(0, 200)) {
      b.reset()
      responseFeatures(b, t)
      b.dotMany(inter, heads.length, out)
      heads.forEach((w, h) => {
        expect(out[h]).toBe(b.dot(w))
      })
    }
  })
})
