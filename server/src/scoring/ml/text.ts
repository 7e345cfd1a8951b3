/**
 * Text normalization shared by training and scoring: lower case, ASCII quotes and dashes, digits folded
 * to 0 (so "port 8080" and "port 3000" share features), whitespace collapsed (newlines kept, once). Deterministic.
 */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  )
}

export function normalizeText(text: string, maxChars = 4000): string {
  const s = (text.length > maxChars ? text.slice(0, maxChars) : text).toLowerCase()
  // One pass: copy clean runs as slices and rewrite only what changes (this is on the scoring hot path).
  const parts: string[] = []
  let runStart = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    // Fast path: lower-case ASCII letters (most of any text after toLowerCase) are kept as they are.
    if (c >= 97 && c <= 122) continue
    if (isSpace(c)) {
      let j = i
      let newline = false
      while (j < s.length && isSpace(s.charCodeAt(j))) {
        if (s.charCodeAt(j) === 10) newline = true
        j++
      }
      if (!(c === 32 && j === i + 1)) {
        parts.push(s.slice(runStart, i), newline ? '\n' : ' ')
        runStart = j
      }
      i = j - 1
      continue
    }
    let rep: string | null = null
    if (c >= 49 && c <= 57) rep = '0'
    else if (c === 0x2018 || c === 0x2019 || c === 0x02bc || c === 0x60) rep = "'"
    else if (c === 0x201c || c === 0x201d) rep = '"'
    else if (c === 0x2013 || c === 0x2014) rep = '-'
    if (rep !== null) {
      parts.push(s.slice(runStart, i), rep)
      runStart = i + 1
    }
  }
  parts.push(s.slice(runStart))
  return parts.join('').trim()
}

/** The regex form of `normalizeText`, kept as its specification (tests compare the two). */
export function normalizeTextReference(text: string, maxChars = 4000): string {
  const s = text.length > maxChars ? text.slice(0, maxChars) : text
  return s
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc\u0060]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[0-9]/g, '0')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .trim()
}

/** The first `n` sentences (split on . ! ? or newline), for features about how a text opens. */
export function openingOf(text: string, n = 2, maxChars = 300): string {
  let count = 0
  const end = Math.min(text.length, maxChars)
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    // . ! ? followed by a space, or a newline
    if (((c === 46 || c === 33 || c === 63) && text.charCodeAt(i + 1) === 32) || c === 10) {
      count++
      if (count >= n) return text.slice(0, i + 1)
    }
  }
  return text.slice(0, end)
}
