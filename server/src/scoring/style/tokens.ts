/**
 * A fast word scanner shared by the style and grounding scorers (they run on every response, so a
 * char-code loop instead of a Unicode-property regex matters). A word is a run of letters or digits,
 * joined across an inner apostrophe or period followed by a letter or digit ("don't", "U.S", "3.5").
 */
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u

function isWordCode(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
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

/** Lower-cased words with curly apostrophes straightened. */
export function scanLowerWords(text: string): string[] {
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
