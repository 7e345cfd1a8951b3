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

/** Column order of the JSONCompactEachRow score inserts. */
export const SCORE_COLUMNS = Object.keys(ScoreInsertRow.shape) as Array<keyof ScoreInsertRow>

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0
const optStr = (v: unknown) => v === undefined || typeof v === 'string'

/**
 * The same rules as `ScoreInsertRow`, hand-written: a batch has ~24 score rows per exchange and zod was
 * the largest cost of storing them. Anything it rejects goes through zod, which throws the ZodError.
 */
function quickValid(s: ScoreInsertInput): boolean {
  const r = s.retentionDays
  return (
    nonEmpty(s.projectId) &&
    typeof s.eventId === 'string' &&
    GUID.test(s.eventId) &&
    Number.isInteger(s.time) &&
    s.time >= 0 &&
    nonEmpty(s.name) &&
    typeof s.value === 'number' &&
    Number.isFinite(s.value) &&
    typeof s.label === 'string' &&
    nonEmpty(s.scorer) &&
    typeof s.scorerVersion === 'string' &&
    optStr(s.model) &&
    optStr(s.route) &&
    optStr(s.feature) &&
    optStr(s.policyVersion) &&
    optStr(s.upstream) &&
    (r === undefined || (Number.isInteger(r) && r >= 1 && r <= 3650))
  )
}

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

/**
 * One score as a JSONCompactEachRow array in `SCORE_COLUMNS` order, checked once here (where the row is
 * built; nothing checks it again on the way to ClickHouse). No intermediate object per row.
 */
export function toScoreCompactRow(s: ScoreInsertInput): unknown[] {
  if (!quickValid(s)) {
    const row = toScoreInsertRow(s)
    return SCORE_COLUMNS.map((c) => row[c])
  }
  return [
    s.projectId,
    s.eventId,
    s.time,
    s.name,
    s.value,
    s.label,
    s.scorer,
    s.scorerVersion,
    s.model ?? '',
    s.route ?? '',
    s.feature ?? '',
    s.policyVersion ?? '',
    s.upstream ?? '',
    s.retentionDays ?? DEFAULT_RETENTION_DAYS,
  ]
}

/** Inserts scores; the same (event, scorer, version, name) delivered twice collapses to the latest. */
export const insertScores = defineInsert({
  name: 'insert_scores',
  table: 'scores_v1',
  columns: SCORE_COLUMNS,
  format: 'JSONCompactEachRow',
  row: toScoreCompactRow,
})
