/** Longest token sequences compared; past it both sides are truncated so a request stays O(4M) steps. */
export const MAX_EDIT_TOKENS = 2_000

/** Words and single punctuation marks, lower-cased. */
export function editTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? []
}

/** Levenshtein distance between two sequences (two-row dynamic programme). */
export function levenshtein<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let prev = new Int32Array(b.length + 1)
  let cur = new Int32Array(b.length + 1)
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    const ai = a[i - 1]
    for (let j = 1; j <= b.length; j++) {
      const cost = ai === b[j - 1] ? 0 : 1
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
    }
    ;[prev, cur] = [cur, prev]
  }
  return prev[b.length] as number
}

/**
 * Token-level Levenshtein distance normalized by the longer side: 0 = the user kept the response, 1 = they
 * replaced every token. Both empty = 0.
 */
export function normalizedEditDistance(response: string, edited: string): number {
  const a = editTokens(response).slice(0, MAX_EDIT_TOKENS)
  const b = editTokens(edited).slice(0, MAX_EDIT_TOKENS)
  const longest = Math.max(a.length, b.length)
  if (longest === 0) return 0
  return levenshtein(a, b) / longest
}
