import type { ExchangeRecord } from '../ingest/exchange.ts'

/** One row of `scores_v1`: one (event, scorer, version, metric name). */
export interface ScoreRow {
  eventId: string
  projectId: string
  time: number
  scorer: string
  scorerVersion: string
  name: string
  value: number
  /** Empty string when the score has no label. */
  label: string
}

export interface ScoreValue {
  name: string
  value: number
  label?: string
}

/**
 * A scorer judges one finished exchange. Scorers are pure: they know nothing of HTTP or storage,
 * and a scorer that throws loses its own scores, never the exchange.
 */
export interface Scorer {
  readonly name: string
  readonly version: string
  score(exchange: ExchangeRecord): ScoreValue[]
}
