import { Dimension } from '@leash/shared'
import { Z95 } from '../stats/normal.ts'
import type { CatalogMetric } from './catalog.ts'
import type { MetricDimension, MetricFilters } from './types.ts'

/**
 * SQL for one catalog metric, over raw rows or the hourly rollups. Every value from the caller travels as a
 * `{name:Type}` parameter; the only text spliced in is static catalog code and whitelisted column names.
 * Output columns: d_<dim> per groupBy dimension, bucket_ms for series, and a_* statistics.
 */
export interface BuiltQuery {
  sql: string
  params: Record<string, unknown>
}

export interface MetricShape {
  metric: CatalogMetric
  projectId: string
  fromMs: number
  toMs: number
  filters: MetricFilters
  groupBy: MetricDimension[]
  stepMs?: number
}

export const DIMENSIONS: readonly MetricDimension[] = Dimension.options

const HOUR_MS = 3_600_000
/** Windows longer than this read rollups when they can; shorter ones read raw rows with FINAL. */
export const RAW_MAX_RANGE_MS = 48 * HOUR_MS

const RANGE = `time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`

export function filterSql(
  filters: MetricFilters,
  params: Record<string, unknown>,
  withTags: boolean,
): string {
  let sql = ''
  for (const dim of DIMENSIONS) {
    const v = filters[dim]
    if (v === undefined) continue
    params[`f_${dim}`] = v
    sql += ` AND ${dim} = {f_${dim}:String}`
  }
  if (withTags) {
    Object.entries(filters.tags ?? {}).forEach(([k, v], i) => {
      params[`tk${i}`] = k
      params[`tv${i}`] = v
      sql += ` AND tags[{tk${i}:String}] = {tv${i}:String}`
    })
  }
  return sql
}

function scoreNames(m: CatalogMetric): string[] {
  const s = m.source
  switch (s.kind) {
    case 'score_rate':
    case 'score_value':
      return [s.score]
    case 'false_refusal':
      return ['prompt_risk', 'false_refusal']
    case 'score_length_correlation':
      return [s.score, 'length_tokens']
    case 'label_agreement':
      return [s.score]
    default:
      return []
  }
}

/** Statistics each aggregate needs, over a unit subquery with columns x, y or k. */
function outerAggregates(m: CatalogMetric): { select: string } {
  switch (m.aggregate) {
    case 'rate':
      return { select: 'count() AS a_n, sum(k) AS a_k' }
    case 'mean':
    case 'sum':
      return { select: 'count() AS a_n, sum(x) AS a_s, sum(x * x) AS a_ss' }
    case 'quantile': {
      const half = '{z:Float64} * sqrt(count() * {q:Float64} * (1 - {q:Float64}))'
      const at = (rank: string) =>
        `arraySort(groupArray(x))[toUInt64(least(toFloat64(count()), greatest(1., ${rank})))]`
      return {
        select: [
          'count() AS a_n',
          'quantileExactInclusive({q:Float64})(x) AS a_v',
          `${at(`floor(count() * {q:Float64} - ${half})`)} AS a_lo`,
          `${at(`ceil(count() * {q:Float64} + ${half})`)} AS a_hi`,
        ].join(', '),
      }
    }
    case 'correlation':
    case 'kappa':
      return {
        select:
          'count() AS a_n, sum(x) AS a_sx, sum(y) AS a_sy, sum(x * x) AS a_sxx, sum(y * y) AS a_syy, sum(x * y) AS a_sxy',
      }
  }
}

const EXCHANGE_COLUMNS =
  'event_id, time, model, route, feature, policy_version, upstream, status, outcome, latency_ms, ttft_ms, ' +
  'prompt_tokens, completion_tokens, cached_tokens, has_usage, cost_usd, session_id, tool_calls'

const FEEDBACK_CTE = `fb AS (
  SELECT event_id,
    argMaxIf(thumbs, received_at, thumbs != 0) AS fb_thumbs, countIf(thumbs != 0) > 0 AS fb_has_thumbs,
    argMaxIf(task_completed, received_at, task_completed >= 0) AS fb_task, countIf(task_completed >= 0) > 0 AS fb_has_task,
    max(refusal_wrong) AS fb_refusal_wrong,
    argMaxIf(edit_distance, received_at, edit_distance IS NOT NULL) AS fb_edit, countIf(edit_distance IS NOT NULL) > 0 AS fb_has_edit
  FROM feedback_v1
  WHERE project_id = {projectId:String}
    AND event_time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND event_time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
  GROUP BY event_id)`

// Instrument health: the latest uniform human label per event (labels_v1; an undo is a deleted row).
const LABELS_CTE = `lb AS (
  SELECT event_id AS lb_event_id, argMax(value, updated_at) AS lb_value
  FROM labels_v1 FINAL
  WHERE project_id = {projectId:String} AND name = {lname:String} AND source = 'human' AND sample = 'uniform' AND deleted = 0
    AND event_time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND event_time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
  GROUP BY event_id)`

interface Unit {
  /** Extra CTEs joined to `e` (sc: scores pivot, fb: feedback, lb: labels). */
  joins: Array<'sc' | 'fb' | 'lb'>
  /** SELECT list after the dimensions. */
  cols: string
  where?: string
  /** For per-session units. */
  groupBySession?: boolean
  text?: boolean
}

function unitFor(m: CatalogMetric): Unit {
  const s = m.source
  switch (s.kind) {
    case 'requests':
      return { joins: [], cols: '1 AS x' }
    case 'exchange_rate':
      return { joins: [], cols: `toUInt8(${s.cond}) AS k` }
    case 'exchange_value':
      return { joins: [], cols: `toFloat64(${s.expr}) AS x`, ...(s.where ? { where: s.where } : {}) }
    case 'score_rate':
      return {
        joins: ['sc'],
        cols: s.labels
          ? `toUInt8(if(l0 = '', v0 >= 0.5, l0 IN {labels:Array(String)})) AS k`
          : 'toUInt8(v0 >= 0.5) AS k',
        where: 'h0',
      }
    case 'score_value':
      return { joins: ['sc'], cols: 'v0 AS x', where: 'h0' }
    case 'false_refusal':
      return { joins: ['sc'], cols: 'toUInt8(v1 >= 0.5) AS k', where: 'h0 AND h1 AND v0 < 0.5' }
    case 'label_agreement': {
      const pos = `(${s.scorerPositive})`
      const truth = 'lb_value IN {lpos:Array(String)}'
      if (s.measure === 'kappa')
        return { joins: ['sc', 'lb'], cols: `toFloat64(${pos}) AS x, toFloat64(${truth}) AS y`, where: 'h0' }
      if (s.measure === 'accuracy')
        return { joins: ['sc', 'lb'], cols: `toUInt8(${pos} = (${truth})) AS k`, where: 'h0' }
      if (s.measure === 'sensitivity')
        return { joins: ['sc', 'lb'], cols: `toUInt8(${pos}) AS k`, where: `h0 AND ${truth}` }
      return { joins: ['sc', 'lb'], cols: `toUInt8(NOT ${pos}) AS k`, where: `h0 AND NOT (${truth})` }
    }
    case 'score_length_correlation':
      return {
        joins: ['sc'],
        cols: 'v0 AS x, if(h1, v1, toFloat64(completion_tokens)) AS y',
        where: 'h0 AND (h1 OR has_usage)',
      }
    case 'feedback':
      switch (s.field) {
        case 'thumbs_up':
          return { joins: ['fb'], cols: 'toUInt8(fb_thumbs = 1) AS k', where: 'fb_has_thumbs' }
        case 'task_completed':
          return { joins: ['fb'], cols: 'toUInt8(fb_task = 1) AS k', where: 'fb_has_task' }
        case 'refusal_wrong':
          return { joins: ['fb'], cols: 'toFloat64(fb_refusal_wrong) AS x' }
        case 'edit_distance':
          return { joins: ['fb'], cols: 'assumeNotNull(fb_edit) AS x', where: 'fb_has_edit' }
      }
      break
    case 'session':
      return {
        joins: [],
        groupBySession: true,
        where: "session_id != ''",
        cols:
          s.expr === 'tool_calls'
            ? 'toFloat64(sum(JSONLength(tool_calls))) AS x'
            : '(toFloat64(argMax(prompt_tokens, time)) - toFloat64(argMin(prompt_tokens, time))) / (count() - 1) AS x',
      }
    case 'template_repeat':
      return { joins: [], cols: '', where: "response_text != ''", text: true }
    case 'goodhart':
      break
  }
  throw new Error(`metric ${m.name} has no SQL form`)
}

/**
 * `records_dropped`: the project's rows plus every replica's own row (project ''), whose drops could
 * belong to any project. n = health rows in the window; a dimension filter or breakdown has no meaning.
 */
function ingestHealthSql(shape: MetricShape): BuiltQuery {
  const params: Record<string, unknown> = {
    projectId: shape.projectId,
    fromMs: shape.fromMs,
    toMs: shape.toMs,
  }
  const bucket = shape.stepMs
    ? 'intDiv(toUnixTimestamp64Milli(time), {stepMs:Int64}) * {stepMs:Int64} AS bucket_ms, '
    : ''
  if (shape.stepMs) params.stepMs = shape.stepMs
  const sql = `SELECT ${bucket}count() AS a_n, sum(toFloat64(dropped)) AS a_s, sum(toFloat64(dropped) * toFloat64(dropped)) AS a_ss
FROM ingest_health_v1
WHERE project_id IN ({projectId:String}, '') AND ${RANGE}${shape.stepMs ? '\nGROUP BY bucket_ms' : ''}`
  return { sql, params }
}

/** Raw rows (FINAL): exact, deduplicated by event id. */
export function rawMetricSql(shape: MetricShape): BuiltQuery {
  const { metric, groupBy, stepMs } = shape
  if (metric.source.kind === 'ingest_health') return ingestHealthSql(shape)
  const params: Record<string, unknown> = {
    projectId: shape.projectId,
    fromMs: shape.fromMs,
    toMs: shape.toMs,
  }
  const unit = unitFor(metric)
  const names = scoreNames(metric)
  const ctes: string[] = []
  const cols = unit.text
    ? `${EXCHANGE_COLUMNS}, response_text, cityHash64(arrayStringConcat(arraySlice(splitByWhitespace(lower(response_text)), 1, 8), ' ')) AS tpl`
    : EXCHANGE_COLUMNS
  ctes.push(`e AS (SELECT ${cols} FROM raw_responses_v1 FINAL
    WHERE project_id = {projectId:String} AND ${RANGE}${filterSql(shape.filters, params, true)})`)
  if (unit.joins.includes('sc')) {
    params.snames = names
    const pivots = names
      .map((_, i) => {
        params[`s${i}`] = names[i]
        return `argMaxIf(value, scored_at, name = {s${i}:String}) AS v${i}, argMaxIf(label, scored_at, name = {s${i}:String}) AS l${i}, countIf(name = {s${i}:String}) > 0 AS h${i}`
      })
      .join(', ')
    ctes.push(`sc AS (SELECT event_id AS sc_event_id, ${pivots} FROM scores_v1 FINAL
    WHERE project_id = {projectId:String} AND ${RANGE} AND name IN {snames:Array(String)} GROUP BY event_id)`)
  }
  if (unit.joins.includes('fb')) ctes.push(FEEDBACK_CTE)
  if (unit.joins.includes('lb') && metric.source.kind === 'label_agreement') {
    ctes.push(LABELS_CTE)
    params.lname = metric.source.label
    params.lpos = metric.source.labelPositive
  }
  if (metric.source.kind === 'score_rate' && metric.source.labels) params.labels = metric.source.labels

  const dimCols = groupBy.map((d) => `e.${d} AS d_${d}`)
  const bucketExpr = stepMs ? 'intDiv(toUnixTimestamp64Milli(e.time), {stepMs:Int64}) * {stepMs:Int64}' : null
  if (stepMs) params.stepMs = stepMs
  const keyCols = [...dimCols, ...(bucketExpr ? [`${bucketExpr} AS bucket_ms`] : [])]
  const keys = [...groupBy.map((d) => `d_${d}`), ...(bucketExpr ? ['bucket_ms'] : [])]

  let unitCols = unit.cols
  if (unit.text) {
    const part = [...groupBy.map((d) => `e.${d}`), ...(bucketExpr ? [bucketExpr] : []), 'tpl'].join(', ')
    unitCols = `toUInt8(count() OVER (PARTITION BY ${part}) >= 2) AS k`
  }
  const joins = [
    unit.joins.includes('sc') ? 'INNER JOIN sc ON sc.sc_event_id = e.event_id' : '',
    unit.joins.includes('fb') ? 'INNER JOIN fb ON fb.event_id = e.event_id' : '',
    unit.joins.includes('lb') ? 'INNER JOIN lb ON lb.lb_event_id = e.event_id' : '',
  ].join(' ')
  const unitSql = `SELECT ${[...keyCols, unitCols].join(', ')} FROM e ${joins}${unit.where ? ` WHERE ${unit.where}` : ''}${
    unit.groupBySession
      ? ` GROUP BY ${[...keys, 'e.session_id'].join(', ')}${metric.source.kind === 'session' && metric.source.expr === 'context_growth' ? ' HAVING count() >= 2' : ''}`
      : ''
  }`

  const agg = outerAggregates(metric)
  if (metric.aggregate === 'quantile') {
    params.q = metric.quantile ?? 0.5
    params.z = Z95
  }
  const keySelect = keys.length ? `${keys.join(', ')}, ` : ''
  const sql = `WITH ${ctes.join(',\n')}
SELECT ${keySelect}${agg.select} FROM (
  ${unitSql}
)${keys.length ? ` GROUP BY ${keys.join(', ')}` : ''}`
  return { sql, params }
}

/** Grid of quantile levels read from a digest; the interval is interpolated between them. */
export function digestLevels(q: number): number[] {
  const offsets = [0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3]
  const set = new Set<number>()
  for (const o of offsets) {
    set.add(Math.min(1, Math.max(0, +(q - o).toFixed(6))))
    set.add(Math.min(1, Math.max(0, +(q + o).toFixed(6))))
  }
  return [...set].sort((a, b) => a - b)
}

/** Whether a query can be answered from the hourly rollups. */
export function rollupEligible(shape: MetricShape): boolean {
  const s = shape.metric.source
  const kindOk =
    s.kind === 'requests' ||
    (s.kind === 'exchange_rate' && s.rollup !== undefined) ||
    (s.kind === 'exchange_value' && s.rollup !== undefined) ||
    s.kind === 'score_rate' ||
    (s.kind === 'score_value' && shape.metric.aggregate !== 'quantile') ||
    s.kind === 'false_refusal'
  // Series read whole hourly buckets (see rollupMetricSql); a window must be hour-aligned to be exact.
  const aligned = shape.stepMs !== undefined || (shape.fromMs % HOUR_MS === 0 && shape.toMs % HOUR_MS === 0)
  const stepOk = shape.stepMs === undefined || shape.stepMs % HOUR_MS === 0
  const noTags = Object.keys(shape.filters.tags ?? {}).length === 0
  return kindOk && aligned && stepOk && noTags && shape.toMs - shape.fromMs > RAW_MAX_RANGE_MS
}

/** Hourly rollups: fast over months; counts re-delivered rows twice (see decision 010). */
export function rollupMetricSql(shape: MetricShape): BuiltQuery {
  const { metric, groupBy, stepMs } = shape
  const s = metric.source
  // Buckets are whole hours (or multiples), so a series covers its first and last bucket entirely.
  const params: Record<string, unknown> = {
    projectId: shape.projectId,
    fromMs: Math.floor(shape.fromMs / HOUR_MS) * HOUR_MS,
    toMs: Math.ceil(shape.toMs / HOUR_MS) * HOUR_MS,
  }
  let table = 'responses_per_hour_v1'
  let select: string
  let where = ''
  switch (s.kind) {
    case 'requests':
      select = 'sum(requests) AS a_n, sum(requests) AS a_s, 0 AS a_ss'
      break
    case 'exchange_rate':
      if (!s.rollup) throw new Error(`${metric.name} has no rollup`)
      select = `sum(${s.rollup.n}) AS a_n, sum(${s.rollup.k}) AS a_k`
      break
    case 'exchange_value': {
      const r = s.rollup
      if (!r) throw new Error(`${metric.name} has no rollup`)
      if (metric.aggregate === 'quantile') {
        if (!r.digest) throw new Error(`${metric.name} has no digest`)
        // Whole-project charts read the per-project digests (migration 015): one state per hour.
        if (groupBy.length === 0 && DIMENSIONS.every((d) => shape.filters[d] === undefined))
          table = 'responses_q_per_hour_v1'
        const levels = digestLevels(metric.quantile ?? 0.5)
        levels.forEach((l, i) => {
          params[`g${i}`] = l
        })
        select = `sum(${r.n}) AS a_n, quantilesTDigestMerge(${levels.map((_, i) => `{g${i}:Float64}`).join(', ')})(${r.digest}) AS a_qs`
      } else {
        select = `sum(${r.n}) AS a_n, sum(${r.sum ?? '0'}) AS a_s, sum(${r.sq ?? '0'}) AS a_ss`
      }
      break
    }
    case 'score_rate':
      table = 'scores_per_hour_v1'
      params.s0 = s.score
      where = ' AND name = {s0:String}'
      if (s.labels) {
        params.labels = s.labels
        select =
          "sum(n) AS a_n, sumIf(n, label IN {labels:Array(String)}) + sumIf(n_ge_half, label = '') AS a_k"
      } else select = 'sum(n) AS a_n, sum(n_ge_half) AS a_k'
      break
    case 'score_value':
      table = 'scores_per_hour_v1'
      params.s0 = s.score
      where = ' AND name = {s0:String}'
      select = 'sum(n) AS a_n, sum(value_sum) AS a_s, sum(value_sq) AS a_ss'
      break
    case 'false_refusal':
      table = 'scores_per_hour_v1'
      where = " AND name IN ('prompt_risk', 'false_refusal')"
      select =
        "sumIf(n, name = 'prompt_risk') - sumIf(n_ge_half, name = 'prompt_risk') AS a_n, sumIf(n_ge_half, name = 'false_refusal') AS a_k"
      break
    default:
      throw new Error(`${metric.name} has no rollup`)
  }
  const keys = groupBy.map((d) => `${d} AS d_${d}`)
  if (stepMs) {
    params.stepMs = stepMs
    keys.push('intDiv(toUnixTimestamp(hour) * 1000, {stepMs:Int64}) * {stepMs:Int64} AS bucket_ms')
  }
  const keyNames = [...groupBy.map((d) => `d_${d}`), ...(stepMs ? ['bucket_ms'] : [])]
  const sql = `SELECT ${keys.length ? `${keys.join(', ')}, ` : ''}${select}
FROM ${table}
WHERE project_id = {projectId:String}
  AND hour >= toDateTime(intDiv({fromMs:Int64}, 1000), 'UTC') AND hour < toDateTime(intDiv({toMs:Int64}, 1000), 'UTC')${where}${filterSql(shape.filters, params, false)}${
    keyNames.length ? `\nGROUP BY ${keyNames.join(', ')}` : ''
  }`
  return { sql, params }
}
