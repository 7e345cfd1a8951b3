import { z } from 'zod'
import type { BuiltSql } from '../query.ts'

/** Columns of raw_responses_v1 an exchange can be filtered on by equality (API name -> column). */
export const EXCHANGE_DIMENSIONS = {
  model: 'model',
  route: 'route',
  feature: 'feature',
  user: 'user_id',
  session: 'session_id',
  policy_version: 'policy_version',
} as const
export type ExchangeDimension = keyof typeof EXCHANGE_DIMENSIONS

export const ScoreOp = z.enum(['gt', 'gte', 'lt', 'lte', 'eq'])
export type ScoreOp = z.infer<typeof ScoreOp>
const SQL_OP: Record<ScoreOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=' }

/** Every filter the exchange list knows, already validated at the edge; all of them are ANDed. */
export const ExchangeFilter = z.object({
  fromMs: z.number().optional(),
  toMs: z.number().optional(),
  dims: z.partialRecord(z.enum(Object.keys(EXCHANGE_DIMENSIONS) as [ExchangeDimension]), z.array(z.string())),
  statuses: z.array(z.number().int()),
  outcomes: z.array(z.string()),
  q: z.string().optional(),
  scores: z.array(z.object({ name: z.string(), op: ScoreOp, value: z.number() })),
  tags: z.array(z.object({ key: z.string(), value: z.string() })),
  /** Event ids a label filter resolved to (null = no label filter). */
  eventIds: z.array(z.uuid()).nullable(),
  sort: z.object({
    by: z.union([z.literal('time'), z.literal('latency'), z.object({ score: z.string() })]),
    desc: z.boolean(),
  }),
})
export type ExchangeFilter = z.infer<typeof ExchangeFilter>

export const NO_FILTER: ExchangeFilter = {
  dims: {},
  statuses: [],
  outcomes: [],
  scores: [],
  tags: [],
  eventIds: null,
  sort: { by: 'time', desc: true },
}

const TIME_RANGE = (f: ExchangeFilter) =>
  [
    f.fromMs !== undefined ? `time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC')` : '',
    f.toMs !== undefined ? `time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')` : '',
  ].filter(Boolean)

/** The latest score of one name per event within the filter's time range (a subquery on scores_v1). */
function latestScoreSql(f: ExchangeFilter, nameParam: string): string {
  const where = ['project_id = {projectId:String}', ...TIME_RANGE(f), `name = {${nameParam}:String}`]
  return `SELECT event_id, argMax(value, scored_at) AS v FROM scores_v1 FINAL WHERE ${where.join(' AND ')} GROUP BY event_id`
}

/**
 * The WHERE clause (over raw_responses_v1, bare columns) and its values. The project and time range come
 * first so the sort key (project_id, time, event_id) prunes parts and granules before anything else runs.
 */
export function exchangeWhere(projectId: string, f: ExchangeFilter): BuiltSql {
  const params: Record<string, unknown> = { projectId }
  if (f.fromMs !== undefined) params.fromMs = f.fromMs
  if (f.toMs !== undefined) params.toMs = f.toMs
  const conds = ['project_id = {projectId:String}', ...TIME_RANGE(f)]
  for (const [dim, values] of Object.entries(f.dims)) {
    if (!values?.length) continue
    params[`d_${dim}`] = values
    conds.push(`${EXCHANGE_DIMENSIONS[dim as ExchangeDimension]} IN {d_${dim}:Array(String)}`)
  }
  const statusConds: string[] = []
  if (f.statuses.length) {
    params.statuses = f.statuses
    statusConds.push('status IN {statuses:Array(UInt16)}')
  }
  if (f.outcomes.length) {
    params.outcomes = f.outcomes
    statusConds.push('outcome IN {outcomes:Array(String)}')
  }
  if (statusConds.length) conds.push(`(${statusConds.join(' OR ')})`)
  if (f.q) {
    params.q = f.q
    conds.push(
      '(positionCaseInsensitiveUTF8(prompt, {q:String}) > 0 OR positionCaseInsensitiveUTF8(response_text, {q:String}) > 0)',
    )
  }
  f.tags.forEach((t, i) => {
    params[`tk${i}`] = t.key
    params[`tv${i}`] = t.value
    conds.push(`tags[{tk${i}:String}] = {tv${i}:String}`)
  })
  f.scores.forEach((s, i) => {
    params[`sn${i}`] = s.name
    params[`sv${i}`] = s.value
    conds.push(
      `event_id IN (SELECT event_id FROM (${latestScoreSql(f, `sn${i}`)}) WHERE v ${SQL_OP[s.op]} {sv${i}:Float64})`,
    )
  })
  if (f.eventIds) {
    params.eventIds = f.eventIds
    conds.push('event_id IN {eventIds:Array(UUID)}')
  }
  return { sql: conds.join('\n  AND '), params }
}

/**
 * A page of filtered exchanges. Time sorts read in sort-key order; latency and score sorts order the
 * filtered rows (a score sort joins that score's latest value, events without it last).
 */
export function exchangePageSql(
  projectId: string,
  f: ExchangeFilter,
  columns: string,
  limit: number,
  offset: number,
): BuiltSql {
  const where = exchangeWhere(projectId, f)
  const params = { ...where.params, limit, offset }
  const dir = f.sort.desc ? 'DESC' : 'ASC'
  const page = 'LIMIT {limit:UInt32} OFFSET {offset:UInt32}'
  if (f.sort.by === 'time' || f.sort.by === 'latency') {
    const order =
      f.sort.by === 'time' ? `time ${dir}, event_id ${dir}` : `latency_ms ${dir}, time DESC, event_id DESC`
    return {
      sql: `SELECT ${columns}\nFROM raw_responses_v1 FINAL\nWHERE ${where.sql}\nORDER BY ${order}\n${page}`,
      params,
    }
  }
  const sortParams = { ...params, sortName: f.sort.by.score }
  const sql = `
SELECT r.*, s.v AS sort_value FROM (
  SELECT ${columns}
  FROM raw_responses_v1 FINAL
  WHERE ${where.sql}
) AS r
LEFT JOIN (SELECT toString(event_id) AS sid, v FROM (${latestScoreSql(f, 'sortName')})) AS s ON s.sid = r.id
ORDER BY isNull(s.v), s.v ${dir}, r.time_ms DESC, r.id DESC
${page}
SETTINGS join_use_nulls = 1`
  return { sql, params: sortParams }
}

export function exchangeCountSql(projectId: string, f: ExchangeFilter): BuiltSql {
  const where = exchangeWhere(projectId, f)
  return {
    sql: `SELECT count() AS total FROM raw_responses_v1 FINAL WHERE ${where.sql}`,
    params: where.params,
  }
}
