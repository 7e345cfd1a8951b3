/**
 * A fast word scanner shared by the style and grounding scorers (they run on every response, so a
 * char-code loop instead of a Unicode-property regex matters). A word is a run of letters or digits,
 * joined across an inner apostrophe or period followed by a letter or digit ("don't", "U.S", "3.5").
 */
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u

function isWordCode(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
  if (c === 0x2019) return false
  return NON_ASCII_WORD.test(text[i] as string)
}

export function scanWords(text: string): string[] {
  const out: string[] = []
  const n = text.length
  let start = -1
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (isWordCode(c, text, i)) {
      if (start < 0) start = i
      continue
    }
    // Inner apostrophe or period: part of the word when a word character follows.
    if (start >= 0 && (c === 39 || c === 0x2019 || c === 46) && i + 1 < n) {
      const d = text.charCodeAt(i + 1)
      if (isWordCode(d, text, i + 1)) continue
    }
    if (start >= 0) {
      out.push(text.slice(start, i))
      start = -1
    }
  }
  if (start >= 0) out.push(text.slice(start))
  return out
}

/**
 * Calls `fn(start, end)` for every word `scanWords` would return, in order, without building the
 * strings (for callers that look at a few words only).
 */
export function forEachWordSpan(text: string, fn: (start: number, end: number) => void): void {
  const n = text.length
  let start = -1
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (isWordCode(c, text, i)) {
      if (start < 0) start = i
      continue
    }
    if (start >= 0 && (c === 39 || c === 0x2019 || c === 46) && i + 1 < n) {
      const d = text.charCodeAt(i + 1)
      if (isWordCode(d, text, i + 1)) continue
    }
    if (start >= 0) {
      fn(start, i)
      start = -1
    }
  }
  if (start >= 0) fn(start, n)
}

/** Whether every UTF-16 unit of `text` is ASCII. */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false
  return true
}

/** Lower-cased words with curly apostrophes straightened. */
export function scanLowerWords(text: string): string[] {
  // ASCII text: lower-casing the whole text first gives the same words (letters stay letters, lengths
  // do not change) with one allocation instead of one per word.
  if (isAscii(text)) return scanWords(text.toLowerCase())
  const ws = scanWords(text)
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as string
    ws[i] = w.includes('\u2019') ? w.toLowerCase().replace(/\u2019/g, "'") : w.toLowerCase()
  }
  return ws
}

/** Phrases as word sequences, indexed by first word, matched in one pass over the words. */
export class PhraseMatcher {
  private readonly byFirst = new Map<string, string[][]>()

  constructor(phrases: readonly string[]) {
    for (const p of phrases) {
      const ws = scanLowerWords(p)
      const first = ws[0]
      if (!first) continue
      const list = this.byFirst.get(first) ?? []
      list.push(ws)
      // Longest first, so "my apologies" wins over "apologies" at the same position.
      list.sort((a, b) => b.length - a.length)
      this.byFirst.set(first, list)
    }
  }

  /** The first words of the phrases (a phrase can only match where one of these is). */
  firstWords(): string[] {
    return [...this.byFirst.keys()]
  }

  /** First word -> its phrases, longest first (the order `count` tries them in). */
  entries(): IterableIterator<[string, string[][]]> {
    return this.byFirst.entries()
  }

  /** Non-overlapping matches over lower-cased words. */
  count(words: readonly string[]): number {
    let n = 0
    for (let i = 0; i < words.length; i++) {
      const cands = this.byFirst.get(words[i] as string)
      if (!cands) continue
      for (const c of cands) {
        let ok = i + c.length <= words.length
        for (let k = 1; ok && k < c.length; k++) ok = words[i + k] === c[k]
        if (ok) {
          n++
          i += c.length - 1
          break
        }
      }
    }
    return n
  }
}

/**
 * Several PhraseMatchers counted in one pass over the words (one Map probe per word instead of one per
 * matcher). Each list keeps its own non-overlapping rule, so `counts(ws)[k]` equals
 * `new PhraseMatcher(lists[k]).count(ws)`.
 */
export class MultiPhraseMatcher {
  private readonly byFirst = new Map<string, Array<{ list: number; phrases: string[][] }>>()
  private readonly lists: number

  constructor(lists: readonly (readonly string[])[]) {
    this.lists = lists.length
    lists.forEach((phrases, list) => {
      for (const [first, cands] of new PhraseMatcher(phrases).entries()) {
        const entry = this.byFirst.get(first) ?? []
        entry.push({ list, phrases: cands })
        this.byFirst.set(first, entry)
      }
    })
  }

  counts(words: readonly string[]): number[] {
    const out = new Array<number>(this.lists).fill(0)
    // Per list, the first position a new match may start at (after its previous match).
    const next = new Array<number>(this.lists).fill(0)
    for (let i = 0; i < words.length; i++) {
      const entry = this.byFirst.get(words[i] as string)
      if (!entry) continue
      for (const { list, phrases } of entry) {
        if (i < (next[list] as number)) continue
        for (const c of phrases) {
          let ok = i + c.length <= words.length
          for (let k = 1; ok && k < c.length; k++) ok = words[i + k] === c[k]
          if (ok) {
            out[list] = (out[list] as number) + 1
            next[list] = i + c.length
            break
          }
        }
      }
    }
    return out
  }
}
