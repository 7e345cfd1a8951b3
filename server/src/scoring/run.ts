import type { ExchangeRecord } from '../ingest/exchange.ts'
import type { Logger } from '../log.ts'
import type { ScoreRow, Scorer } from './scorer.ts'

/** Runs every scorer on one exchange; a scorer that throws loses only its own scores, loudly. */
export function scoreExchange(exchange: ExchangeRecord, scorers: Scorer[], log: Logger): ScoreRow[] {
  const rows: ScoreRow[] = []
  if (exchange.endpoint === 'embeddings' || exchange.outcome !== 'ok') return rows
  for (const scorer of scorers) {
    try {
      for (const s of scorer.score(exchange)) {
        if (!Number.isFinite(s.value)) {
          log('error', 'scorer returned a non-finite value', { scorer: scorer.name, name: s.name })
          continue
        }
        rows.push({
          eventId: exchange.eventId,
          projectId: exchange.projectId,
          time: exchange.time,
          scorer: scorer.name,
          scorerVersion: scorer.version,
          name: s.name,
          value: s.value,
          label: s.label ?? '',
        })
      }
    } catch (err) {
      log('error', 'scorer failed', {
        scorer: scorer.name,
        eventId: exchange.eventId,
        error: (err as Error).message,
      })
    }
  }
  return rows
}
