import { readFileSync } from 'node:fs'

/**
 * The shipped scorers' accuracy on held-out data, as `npm run leash -- eval` writes it to
 * `server/models/card.json` (per score: whether every bar of the scorer card is met, and the misses).
 * Read once; a missing or unreadable file means "unknown", never "met".
 */
export interface ScoreAccuracy {
  /** null when no bar applies to this score. */
  barMet: boolean | null
  bars: number
  met: number
  summary: string
  misses: { metric: string; dataset: string; value: number; bar: number; kind: 'min' | 'max' }[]
}

export interface AccuracyCard {
  generatedBy: string
  commit: string
  scorers: Record<string, ScoreAccuracy>
}

let card: AccuracyCard | null | undefined

export function accuracyCard(): AccuracyCard | null {
  if (card !== undefined) return card
  try {
    const url = new URL('../../../models/card.json', import.meta.url)
    const parsed = JSON.parse(readFileSync(url, 'utf8')) as AccuracyCard
    card = parsed && typeof parsed.scorers === 'object' ? parsed : null
  } catch {
    card = null
  }
  return card
}
