import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import type { ScoreRow } from '../../../scoring/scorer.ts'

/** A `scores_v1` row as inserted; `scored_at` comes from the column default. */
export const ScoreInsertRow = z.object({
  project_id: z.string().min(1),
  event_id: z.guid(),
  time: z.number().int().nonnegative(),
  name: z.string().min(1),
  value: z.number().refine(Number.isFinite, 'score value must be finite'),
  label: z.string(),
  scorer: z.string().min(1),
  scorer_version: z.string(),
})
export type ScoreInsertRow = z.infer<typeof ScoreInsertRow>

export function toScoreInsertRow(s: ScoreRow): ScoreInsertRow {
  return ScoreInsertRow.parse({
    project_id: s.projectId,
    event_id: s.eventId,
    time: s.time,
    name: s.name,
    value: s.value,
    label: s.label,
    scorer: s.scorer,
    scorer_version: s.scorerVersion,
  })
}

/** Inserts scores; the same (event, scorer, version, name) delivered twice collapses to the latest. */
export const insertScores =
  (ch: ClickHouseClient) =>
  async (rows: ScoreRow[]): Promise<void> => {
    if (rows.length === 0) return
    await ch.insert({ table: 'scores_v1', values: rows.map(toScoreInsertRow), format: 'JSONEachRow' })
  }
