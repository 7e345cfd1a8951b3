import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import { type BuiltSql, defineQuery } from '../db/clickhouse/query.ts'
import { LeashError } from '../errors.ts'
import { findMetric } from './catalog.ts'
import { DIMENSIONS } from './sql.ts'
import type { MetricFilters } from './types.ts'

/** Exchange columns a drift test may sample directly. */
export const SAMPLE_COLUMNS = [
  'latency_ms',
  'ttft_ms',
  'prompt_tokens',
  'completion_tokens',
  'cost_usd',
] as const
export type SampleColumn = (typeof SAMPLE_COLUMNS)[number]

export interface SampleQuery {
  projectId: string
  /** Exactly one of metric (catalog name), score (scores_v1 name) or column. */
  metric?: string
  score?: string
  column?: SampleColumn
  from: number
  to: number
  filters?: MetricFilters
  /** Default 20,000; a deterministic sample (by event id hash) when there are more. */
  limit?: number
}

export interface WorstExamplesQuery {
  projectId: string
  metric: string
  from: number
  to: number
  filters?: MetricFilters
  limit?: number
}

export interface ExampleResponse {
  eventId: string
  time: number
  model: string
  route: string
  /** The value that ranked it (score, latency, ...); null when ranked by recency. */
  value: number | null
  prompt: string
  excerpt: string
}

const RANGE = (col: string) =>
  `${col} >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND ${col} < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`

function filterSql(f: MetricFilters | undefined, params: Record<string, unknown>, prefix: string): string {
  let sql = ''
  for (const d of DIMENSIONS) {
    const v = f?.[d]
    if (v === undefined) continue
    params[`f_${d}`] = v
    sql += ` AND ${prefix}${d} = {f_${d}:String}`
  }
  Object.entries(f?.tags ?? {}).forEach(([k, v], i) => {
    params[`tk${i}`] = k
    params[`tv${i}`] = v
    sql += ` AND ${prefix}tags[{tk${i}:String}] = {tv${i}:String}`
  })
  return sql
}

/** What a catalog metric samples: a score or an exchange column. */
function sampleTarget(q: SampleQuery): { score: string } | { column: SampleColumn } {
  if (q.column) {
    if (!SAMPLE_COLUMNS.includes(q.column)) throw new LeashError('bad_request', `cannot sample '${q.column}'`)
    return { column: q.column }
  }
  if (q.score) return { score: q.score }
  const m = q.metric ? findMetric(q.metric) : undefined
  if (!m) throw new LeashError('bad_request', `unknown metric '${q.metric ?? ''}'`)
  const s = m.source
  if (s.kind === 'score_rate' || s.kind === 'score_value') return { score: s.score }
  if (s.kind === 'false_refusal') return { score: 'false_refusal' }
  if (s.kind === 'score_length_correlation') return { score: s.score }
  if (s.kind === 'exchange_value') {
    const col = SAMPLE_COLUMNS.find((c) => c === s.expr)
    if (col) return { column: col }
  }
  throw new LeashError('bad_request', `metric '${m.name}' has no per-exchange distribution to sample`)
}

const ValueRow = z.object({ v: z.number() })

function sampleSql(q: SampleQuery): BuiltSql {
  const target = sampleTarget(q)
  const params: Record<string, unknown> = {
    projectId: q.projectId,
    fromMs: q.from,
    toMs: q.to,
    limit: Math.max(1, Math.min(q.limit ?? 20_000, 1_000_000)),
  }
  const filters = filterSql(q.filters, params, 'e.')
  let sql: string
  if ('column' in target) {
    // The column name comes from the SAMPLE_COLUMNS whitelist above.
    sql = `SELECT toFloat64(e.${target.column}) AS v FROM raw_responses_v1 AS e FINAL
WHERE e.project_id = {projectId:String} AND ${RANGE('e.time')}${filters}
  AND ${target.column === 'ttft_ms' ? 'e.ttft_ms IS NOT NULL' : target.column.endsWith('tokens') ? 'e.has_usage' : '1'}
ORDER BY cityHash64(e.event_id) LIMIT {limit:UInt32}`
  } else {
    params.score = target.score
    sql = `WITH sc AS (
  SELECT event_id AS sc_event_id, argMax(value, scored_at) AS v FROM scores_v1 FINAL
  WHERE project_id = {projectId:String} AND ${RANGE('time')} AND name = {score:String} GROUP BY event_id)
SELECT v FROM raw_responses_v1 AS e FINAL INNER JOIN sc ON sc.sc_event_id = e.event_id
WHERE e.project_id = {projectId:String} AND ${RANGE('e.time')}${filters}
ORDER BY cityHash64(e.event_id) LIMIT {limit:UInt32}`
  }
  return { sql, params }
}

const metricSample = defineQuery({
  name: 'metric_sample',
  params: z.custom<SampleQuery>(),
  row: ValueRow,
  sql: sampleSql,
})

/** Values of one distribution in [from, to), for drift statistics (PSI, JS, KS). */
export async function sampleMetricValues(ch: ClickHouseClient, q: SampleQuery): Promise<number[]> {
  return (await metricSample(ch)(q)).map((r) => r.v)
}

interface Ranking {
  score?: string
  column?: string
  dir: 'ASC' | 'DESC'
  where?: string
}

/** How "worst" reads for each kind of metric: the responses that push it the bad way. */
function rankingFor(metric: string): Ranking {
  const m = findMetric(metric)
  if (!m) throw new LeashError('bad_request', `unknown metric '${metric}'`)
  const s = m.source
  const dir = m.better === 'higher' ? 'ASC' : 'DESC'
  switch (s.kind) {
    case 'score_rate':
    case 'score_value':
      return { score: s.score, dir }
    case 'false_refusal':
      return { score: 'false_refusal', dir: 'DESC' }
    case 'goodhart':
      return { score: 'citation_support', dir: 'ASC' }
    case 'score_length_correlation':
      return { column: 'toFloat64(e.completion_tokens)', dir: 'DESC' }
    case 'exchange_rate':
      return { column: `toFloat64(${s.cond.replace(/(status|outcome)/g, 'e.$1')})`, dir: 'DESC' }
    case 'exchange_value': {
      const col = SAMPLE_COLUMNS.find((c) => c === s.expr) ?? 'latency_ms'
      return {
        column: `toFloat64(e.${col})`,
        dir: 'DESC',
        ...(col === 'ttft_ms' ? { where: 'e.ttft_ms IS NOT NULL' } : {}),
      }
    }
    default:
      return { column: 'toFloat64(e.completion_tokens)', dir: 'DESC' }
  }
}

const ExampleRow = z.object({
  id: z.string(),
  time_ms: z.coerce.number(),
  model: z.string(),
  route: z.string(),
  value: z.number().nullable(),
  prompt_excerpt: z.string(),
  excerpt: z.string(),
})

function worstSql(q: WorstExamplesQuery): BuiltSql {
  const r = rankingFor(q.metric)
  const params: Record<string, unknown> = {
    projectId: q.projectId,
    fromMs: q.from,
    toMs: q.to,
    limit: Math.max(1, Math.min(q.limit ?? 5, 100)),
  }
  const filters = filterSql(q.filters, params, 'e.')
  let withSql = ''
  let join = ''
  let valueExpr = r.column ?? 'NULL'
  if (r.score) {
    params.score = r.score
    withSql = `WITH sc AS (
  SELECT event_id AS sc_event_id, argMax(value, scored_at) AS sv FROM scores_v1 FINAL
  WHERE project_id = {projectId:String} AND ${RANGE('time')} AND name = {score:String} GROUP BY event_id)\n`
    join = 'INNER JOIN sc ON sc.sc_event_id = e.event_id'
    valueExpr = 'sv'
  }
  const sql = `${withSql}SELECT toString(e.event_id) AS id, toUnixTimestamp64Milli(e.time) AS time_ms, e.model AS model,
  e.route AS route, ${valueExpr} AS value, substring(e.prompt, 1, 300) AS prompt_excerpt,
  substring(e.response_text, 1, 500) AS excerpt
FROM raw_responses_v1 AS e FINAL ${join}
WHERE e.project_id = {projectId:String} AND ${RANGE('e.time')}${filters}${r.where ? ` AND ${r.where}` : ''}
ORDER BY value ${r.dir}, e.time DESC LIMIT {limit:UInt32}`
  return { sql, params }
}

const worstRows = defineQuery({
  name: 'metric_worst_examples',
  params: z.custom<WorstExamplesQuery>(),
  row: ExampleRow,
  sql: worstSql,
})

/** The responses that moved a metric the bad way in [from, to): alert evidence and report examples. */
export async function worstExamples(ch: ClickHouseClient, q: WorstExamplesQuery): Promise<ExampleResponse[]> {
  // A record that was never stored has no example to show.
  if (findMetric(q.metric)?.source.kind === 'ingest_health') return []
  return (await worstRows(ch)(q)).map((x) => ({
    eventId: x.id,
    time: x.time_ms,
    model: x.model,
    route: x.route,
    value: x.value,
    prompt: x.prompt_excerpt,
    excerpt: x.excerpt,
  }))
}
