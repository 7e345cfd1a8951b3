import type { ExchangeRecord } from '../exchange/record.ts'
import type { Logger } from '../log.ts'
import { type ScoreRow, type Scorer, toScoreInput } from './scorer.ts'

/** Whether an exchange is scored at all: embeddings and failed calls are logged, never scored. */
export function isScorable(ex: ExchangeRecord): boolean {
  return ex.endpoint !== 'embeddings' && ex.outcome === 'ok'
}

/**
 * Runs every scorer over a batch of exchanges. A scorer that throws, rejects or returns a non-finite
 * value loses only its own scores for that batch, loudly; the exchanges are never lost.
 */
export async function scoreExchanges(
  exchanges: readonly ExchangeRecord[],
  scorers: readonly Scorer[],
  log: Logger,
): Promise<ScoreRow[]> {
  const todo = exchanges.filter(isScorable)
  if (todo.length === 0 || scorers.length === 0) return []
  const inputs = todo.map(toScoreInput)
  const rows: ScoreRow[] = []
  const results = await Promise.allSettled(scorers.map(async (s) => s.scoreBatch(inputs)))
  results.forEach((result, si) => {
    const scorer = scorers[si] as Scorer
    if (result.status === 'rejected') {
      log('error', 'scorer failed', {
        scorer: scorer.name,
        batch: todo.length,
        error: (result.reason as Error)?.message ?? String(result.reason),
      })
      return
    }
    todo.forEach((ex, i) => {
      for (const s of result.value[i] ?? []) {
        if (!Number.isFinite(s.value)) {
          log('error', 'scorer returned a non-finite value', { scorer: scorer.name, name: s.name })
          continue
        }
        rows.push({
          eventId: ex.eventId,
          projectId: ex.projectId,
          time: ex.time,
          scorer: scorer.name,
          scorerVersion: scorer.version,
          name: s.name,
          value: s.value,
          label: s.label ?? '',
        })
      }
    })
  })
  return rows
}
