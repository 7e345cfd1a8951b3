/**
 * Sentence splitting for grounding. Prose is split after `.`, `!`, `?` (and CJK `。！？`) followed by
 * space and an upper-case letter, digit, quote or bracket, except after known abbreviations, initials,
 * decimals (3.14) and inside URLs. List items, headings and table rows are their own sentences;
 * fenced code blocks are kept whole and marked `code` (never a factual claim).
 */
export type SentenceKind = 'prose' | 'list' | 'heading' | 'code' | 'table'

export interface Sentence {
  text: string
  kind: SentenceKind
}

const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'ft',
  'vs',
  'etc',
  'inc',
  'ltd',
  'co',
  'corp',
  'dept',
  'univ',
  'no',
  'vol',
  'fig',
  'al',
  'approx',
  'est',
  'gen',
  'gov',
  'sen',
  'rep',
  'rev',
  'capt',
  'col',
  'lt',
  'sgt',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'e.g',
  'i.e',
  'u.s',
  'u.k',
  'a.m',
  'p.m',
  'ph.d',
  'cf',
  'ca',
])

const CLOSERS = new Set('.!?"\'”’)]】'.split('').map((c) => c.charCodeAt(0)))

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 160 || c === 0x3000
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57
}

function isLowerAscii(c: number): boolean {
  return c >= 97 && c <= 122
}

const LIST_RE = /^\s*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)])\s+/
const HEADING_RE = /^\s{0,3}#{1,6}\s+/
const TABLE_RE = /^\s*\|.*\|\s*$/

/** Whether the period at `i` in `text` ends a sentence (and is not an abbreviation, decimal, URL...). */
function endsSentence(text: string, i: number): boolean {
  const ch = text[i]
  if (ch === '!' || ch === '?' || ch === '。' || ch === '！' || ch === '？') return true
  // Decimal or version number: 3.14, v1.2.3 (charCodeAt is NaN out of range, which is no digit).
  if (isDigitCode(text.charCodeAt(i - 1)) && isDigitCode(text.charCodeAt(i + 1))) return false
  // Token before the period.
  let s = i - 1
  while (s >= 0 && i - s < 64 && !isSpace(text.charCodeAt(s))) s--
  const token = text.slice(s + 1, i)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(token) || /^www\./i.test(token)) {
    // Inside a URL, a period followed by a non-space continues it.
    if (i + 1 < text.length && !isSpace(text.charCodeAt(i + 1))) return false
  }
  const bare = token.replace(/^[("'[]+/, '').toLowerCase()
  if (ABBREVIATIONS.has(bare)) return false
  // Single initials: "J. R. R. Tolkien".
  if (/^[A-Z]$/.test(token.replace(/^[("'[]+/, ''))) return false
  return true
}

function splitProse(text: string, out: Sentence[]): void {
  let start = 0
  const n = text.length
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i)
    // . ! ? and CJK 。！？, compared as char codes (no one-character strings in the scan loop).
    if (code !== 46 && code !== 33 && code !== 63 && code !== 0x3002 && code !== 0xff01 && code !== 0xff1f)
      continue
    const ch = text[i]
    // Swallow runs of terminal punctuation, closing quotes/brackets and trailing citation markers.
    let j = i + 1
    while (j < n && CLOSERS.has(text.charCodeAt(j))) j++
    while (
      j < n &&
      (text.charCodeAt(j) === 91 || text.charCodeAt(j) === 0x3010 || isSpace(text.charCodeAt(j)))
    ) {
      const m = /^\s*(?:\[[^\]\n]{1,24}\]|【[^】\n]{1,12}】)/.exec(text.slice(j, j + 40))
      if (!m) break
      j += m[0].length
    }
    const cjk = ch === '。' || ch === '！' || ch === '？'
    if (!cjk && j < n && !isSpace(text.charCodeAt(j))) continue
    if (!endsSentence(text, i)) continue
    // The next sentence should start like a sentence (capital, digit, quote, bracket, or CJK).
    let k = j
    while (k < n && isSpace(text.charCodeAt(k))) k++
    if (k < n && !cjk && isLowerAscii(text.charCodeAt(k))) continue
    const s = text.slice(start, j).trim()
    if (s) out.push({ text: s, kind: 'prose' })
    start = j
    i = j - 1
  }
  const rest = text.slice(start).trim()
  if (rest) out.push({ text: rest, kind: 'prose' })
}

export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = []
  const lines = text.split('\n')
  let para: string[] = []
  const flush = () => {
    if (para.length > 0) splitProse(para.join(' '), out)
    para = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (/^\s*```/.test(line)) {
      flush()
      const code: string[] = [line]
      i++
      while (i < lines.length && !/^\s*```/.test(lines[i] as string)) code.push(lines[i++] as string)
      if (i < lines.length) code.push(lines[i] as string)
      out.push({ text: code.join('\n'), kind: 'code' })
      continue
    }
    if (line.trim() === '') {
      flush()
      continue
    }
    if (HEADING_RE.test(line)) {
      flush()
      out.push({ text: line.replace(HEADING_RE, '').trim(), kind: 'heading' })
      continue
    }
    if (TABLE_RE.test(line)) {
      flush()
      out.push({ text: line.trim(), kind: 'table' })
      continue
    }
    if (LIST_RE.test(line)) {
      flush()
      const before = out.length
      splitProse(line.replace(LIST_RE, ''), out)
      for (let k = before; k < out.length; k++) (out[k] as Sentence).kind = 'list'
      continue
    }
    para.push(line.trim())
  }
  flush()
  return out
}
