/**
 * A fast, BPE-free token estimate used only when the upstream reports no usage. It follows the shape
 * of cl100k_base's pre-tokenizer (words with their leading space, digits in groups of three, runs of
 * punctuation) and charges long words by length, since cl100k keeps common words whole (about 0.75
 * words per token and 4 characters per token on English prose). CJK characters count about one each.
 * It is an approximation (see docs/decisions/004): records counted this way say usageFromUpstream=false.
 */

const LONG_WORD = 9
const CHARS_PER_SUBWORD = 5

function isLetter(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c < 0x2e80 && c !== 0xd7 && c !== 0xf7)
  )
}
const isDigit = (c: number) => c >= 48 && c <= 57
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13
const isWide = (c: number) => c >= 0x2e80 && c <= 0xffff // CJK, kana, hangul and other wide scripts

export function estimateTokens(text: string): number {
  let tokens = 0
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (isLetter(c)) {
      let j = i + 1
      while (j < n && (isLetter(text.charCodeAt(j)) || text.charCodeAt(j) === 39)) j++
      const len = j - i
      tokens += len <= LONG_WORD ? 1 : 1 + Math.ceil((len - LONG_WORD) / CHARS_PER_SUBWORD)
      i = j
    } else if (isDigit(c)) {
      let j = i + 1
      while (j < n && isDigit(text.charCodeAt(j))) j++
      tokens += Math.ceil((j - i) / 3)
      i = j
    } else if (isSpace(c)) {
      // A single space joins the next word's token; runs of whitespace and newlines cost one.
      let j = i + 1
      while (j < n && isSpace(text.charCodeAt(j))) j++
      if (j - i > 1 || c !== 32) tokens += 1
      i = j
    } else if (isWide(c)) {
      tokens += 1
      i++
    } else if (c >= 0xd800 && c <= 0xdbff) {
      tokens += 2 // astral plane (emoji): usually two or more byte-level tokens
      i += 2
    } else {
      // Punctuation: runs like `...`, `");` or `==` are mostly one or two tokens.
      let j = i + 1
      while (j < n && j - i < 3) {
        const d = text.charCodeAt(j)
        if (isLetter(d) || isDigit(d) || isSpace(d) || isWide(d)) break
        j++
      }
      tokens += 1
      i = j
    }
  }
  return tokens
}

/** Chat prompt: OpenAI's documented framing, 3 tokens per message plus 3 to prime the reply. */
export function estimateChatPromptTokens(messages: readonly { role: string; text: string }[]): number {
  let n = 3
  for (const m of messages) n += 3 + estimateTokens(m.role) + estimateTokens(m.text)
  return n
}
