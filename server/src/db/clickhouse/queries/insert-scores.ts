import { z } from 'zod'
import type { ScoreRow } from '../../../exchange/score.ts'
import { defineInsert } from '../query.ts'
import { DEFAULT_RETENTION_DAYS } from './insert-exchanges.ts'

/**
 * Slicing dimensions of the scored exchange and its retention, copied into each score row
 * (scores_v1 columns from migrations 004 and 010). The ingest pipeline fills them from the exchange.
 */
export interface ScoreRowExtras {
  model?: string
  route?: string
  feature?: string
  policyVersion?: string
  upstream?: string
  retentionDays?: number
}

export type ScoreInsertInput = ScoreRow & ScoreRowExtras

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
  model: z.string(),
  route: z.string(),
  feature: z.string(),
  policy_version: z.string(),
  upstream: z.string(),
  retention_days: z.number().int().min(1).max(3650),
})
export type ScoreInsertRow = z.infer<typeof ScoreInsertRow>

export function toScoreInsertRow(s: ScoreInsertInput): ScoreInsertRow {
  return ScoreInsertRow.parse({
    project_id: s.projectId,
    event_id: s.eventId,
    time: s.time,
    name: s.name,
    value: s.value,
    label: s.label,
    scorer: s.scorer,
    scorer_version: s.scorerVersion,
    model: s.model ?? '',
    route: s.route ?? '',
    feature: s.feature ?? '',
    policy_version: s.policyVersion ?? '',
    upstream: s.upstream ?? '',
    retention_days: s.retentionDays ?? DEFAULT_RETENTION_DAYS,
  })
}

/** Inserts scores; the same (event, scorer, version, name) delivered twice collapses to the latest. */
export const insertScores = defineInsert({ name: 'insert_scores', table: 'scores_v1', row: toScoreInsertRow })
