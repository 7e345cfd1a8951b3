/**
 * Wrapper-robust views of a prompt for the prompt-risk head: undo common character obfuscations, and find
 * the segment (sentence, clause or quotation) that carries the request, so a long role-play frame around
 * it does not dilute its words.
 */

const LEET: Record<string, string> = { '4': 'a', '3': 'e', '1': 'i', '0': 'o', '5': 's', '7': 't', '@': 'a' }
const MIXED_TOKEN = /\b(?=[a-z0-9@]*[a-z])(?=[a-z0-9@]*[0-9@])[a-z0-9@]{3,}\b/gi
const LETTER_HYPHEN = /([a-z])-(?=[a-z])/gi

/**
 * Letters split by hyphens ("h-ow t-o") are joined when most words are split that way, and digits inside
 * words ("k1ll", "h4ck") read as the letters they stand for. Plain text comes back unchanged.
 */
export function deobfuscate(raw: string): string {
  let s = raw
  if (s.includes('-')) {
    const joins = s.match(LETTER_HYPHEN)?.length ?? 0
    const words = s.split(/\s+/).length
    if (joins >= 3 && joins >= words * 0.5) s = s.replace(LETTER_HYPHEN, '$1')
  }
  if (/[0-9@]/.test(s))
    s = s.replace(MIXED_TOKEN, (t) =>
      /^[0-9]+[a-z]{1,2}$/i.test(t) ? t : t.replace(/[0-9@]/g, (c) => LEET[c] ?? c),
    )
  return s
}

/** Sentences, clauses after a colon, and quoted spans of normalized text, each at least 12 characters. */
export function segments(text: string): string[] {
  const out: string[] = []
  for (const q of text.matchAll(/"([^"]{12,})"/g)) out.push(q[1] as string)
  for (const s of text.split(/[.!?\n:]\s+|\n|"/)) if (s.trim().length >= 12) out.push(s.trim())
  return out
}
