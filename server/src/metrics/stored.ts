import type { ClickHouseClient } from '@clickhouse/client'
import { SERIES_MAX_BUCKETS, WindowQuery } from '@leash/shared'
import { z } from 'zod'
import { defineQuery } from '../db/clickhouse/query.ts'
import { LeashError } from '../errors.ts'
import { type Interval, meanInterval, pearson, quantileLevels, wilson } from '../stats/intervals.ts'
import { type CatalogMetric, findMetric } from './catalog.ts'
import { cohenKappa } from './instrument.ts'
import { digestLevels, type MetricShape, rawMetricSql, rollupEligible, rollupMetricSql } from './sql.ts'
import type {
  MetricFilters,
  MetricSeries,
  MetricSeriesQuery,
  MetricValue,
  MetricWindowQuery,
} from './types.ts'

const num = z
  .union([z.number(), z.string()])
  .nullable()
  .optional()
  .transform((v) => (v == null ? null : Number(v)))

const StatRow = z
  .object({
    bucket_ms: num,
    a_n: num,
    a_k: num,
    a_s: num,
    a_ss: num,
    a_v: num,
    a_lo: num,
    a_hi: num,
    a_qs: z.array(z.number().nullable()).optional(),
    a_sx: num,
    a_sy: num,
    a_sxx: num,
    a_syy: num,
    a_sxy: num,
  })
  .catchall(z.unknown())
type StatRow = z.infer<typeof StatRow>

export function requireMetric(name: string): CatalogMetric {
  const m = findMetric(name)
  if (!m) throw new LeashError('bad_request', `unknown metric '${name}'; see GET /api/metrics/catalog`)
  return m
}

function interpolate(levels: number[], values: Array<number | null>, level: number): number | null {
  let prev = -1
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i] as number
    const v = values[i]
    if (v == null || !Number.isFinite(v)) continue
    if (l >= level) {
      if (prev < 0 || l === level) return v
      const pl = levels[prev] as number
      const pv = values[prev] as number
      return pv + ((level - pl) / (l - pl)) * (v - pv)
    }
    prev = i
  }
  return prev >= 0 ? (values[prev] as number) : null
}

function intervalOf(m: CatalogMetric, row: StatRow | undefined): { n: number } & Interval {
  const n = row?.a_n ?? 0
  if (!row || n <= 0) return { n: 0, value: m.aggregate === 'sum' ? 0 : null, lo: null, hi: null }
  switch (m.aggregate) {
    case 'rate':
      return { n, ...wilson(row.a_k ?? 0, n) }
    case 'sum':
      return { n, value: row.a_s ?? 0, lo: null, hi: null }
    case 'mean':
      return { n, ...meanInterval(n, row.a_s ?? 0, row.a_ss ?? 0) }
    case 'quantile': {
      const q = m.quantile ?? 0.5
      if (row.a_qs) {
        const levels = digestLevels(q)
        const b = quantileLevels(n, q)
        return {
          n,
          value: interpolate(levels, row.a_qs, q),
          lo: interpolate(levels, row.a_qs, b.lo),
          hi: interpolate(levels, row.a_qs, b.hi),
        }
      }
      return { n, value: row.a_v, lo: row.a_lo, hi: row.a_hi }
    }
    case 'kappa':
      return { n, ...cohenKappa(n, row.a_sx ?? 0, row.a_sy ?? 0, row.a_sxy ?? 0) }
    case 'correlation':
      return {
        n,
        ...pearson({
          n,
          sx: row.a_sx ?? 0,
          sy: row.a_sy ?? 0,
          sxx: row.a_sxx ?? 0,
          syy: row.a_syy ?? 0,
          sxy: row.a_sxy ?? 0,
        }),
      }
  }
}

/** n, value and interval for one group; below minSamples the value is null, never a number. */
export function finalizeValue(
  m: CatalogMetric,
  row: StatRow | undefined,
  minSamples = m.minSamples,
): Omit<MetricValue, 'labels'> {
  const iv = intervalOf(m, row)
  const insufficient = iv.n < minSamples || iv.value === null
  if (insufficient) return { n: iv.n, value: null, lo: null, hi: null, insufficient: true }
  return { n: iv.n, value: iv.value, lo: iv.lo, hi: iv.hi, insufficient: false }
}

function labelsOf(row: StatRow, groupBy: string[]): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const d of groupBy) labels[d] = String(row[`d_${d}`] ?? '')
  return labels
}

// The shape is checked where it is built (WindowQuery, the catalog); the SQL comes from whitelisted pieces.
const metricStats = defineQuery({
  name: 'metric_stats',
  params: z.custom<MetricShape>(),
  row: StatRow,
  sql: (shape) => (rollupEligible(shape) ? rollupMetricSql(shape) : rawMetricSql(shape)),
})

function runStats(ch: ClickHouseClient, shape: MetricShape): Promise<StatRow[]> {
  return metricStats(ch)(shape)
}

function shapeOf(q: WindowQuery, m: CatalogMetric, stepMs?: number): MetricShape {
  const { tags, ...dims } = q.filters ?? {}
  const sliced =
    (q.groupBy ?? []).length > 0 ||
    Object.values(dims).some((v) => v !== undefined) ||
    Object.keys(tags ?? {}).length > 0
  if (m.source.kind === 'ingest_health' && sliced)
    throw new LeashError('bad_request', `metric '${m.name}' has no dimensions to filter or group by`)
  return {
    metric: m,
    projectId: q.projectId,
    fromMs: q.from,
    toMs: q.to,
    filters: (q.filters ?? {}) as MetricFilters,
    groupBy: (q.groupBy ?? []) as MetricShape['groupBy'],
    ...(stepMs ? { stepMs } : {}),
  }
}

export function parseWindow(q: MetricWindowQuery): WindowQuery {
  const r = WindowQuery.safeParse(q)
  if (!r.success) throw new LeashError('bad_request', r.error.issues[0]?.message ?? 'invalid metric query')
  return r.data
}

/**
 * One value per group over [from, to) of a stored (not derived) metric. Windows up to 48 h (and any with
 * tag filters) read raw rows with FINAL, so re-delivered events count once; longer hour-aligned windows
 * read the hourly rollups.
 */
export async function storedMetricWindow(
  ch: ClickHouseClient,
  query: MetricWindowQuery,
): Promise<MetricValue[]> {
  const q = parseWindow(query)
  const m = requireMetric(q.metric)
  const rows = await runStats(ch, shapeOf(q, m))
  const groupBy = q.groupBy ?? []
  const min = q.minSamples ?? m.minSamples
  if (rows.length === 0 && groupBy.length === 0) return [{ labels: {}, ...finalizeValue(m, undefined, min) }]
  return rows.map((r) => ({ labels: labelsOf(r, groupBy), ...finalizeValue(m, r, min) }))
}

export interface SeriesPlan {
  q: WindowQuery
  m: CatalogMetric
  stepMs: number
  first: number
  /** Epoch-aligned bucket starts covering [from, to). */
  buckets: number[]
  groupBy: string[]
}

/** Checks a series query and lays out its buckets; the same for stored and derived metrics. */
export function planSeries(query: MetricSeriesQuery): SeriesPlan {
  const q = parseWindow(query)
  const m = requireMetric(q.metric)
  if (!(Number.isInteger(query.stepSeconds) && query.stepSeconds >= 1))
    throw new LeashError('bad_request', 'stepSeconds must be a positive integer')
  const stepMs = query.stepSeconds * 1000
  const first = Math.floor(q.from / stepMs) * stepMs
  if ((q.to - first) / stepMs > SERIES_MAX_BUCKETS)
    throw new LeashError(
      'bad_request',
      `range/step gives more than ${SERIES_MAX_BUCKETS} buckets; use a larger step`,
    )
  const groupBy = q.groupBy ?? []
  const buckets: number[] = []
  for (let t = first; t < q.to; t += stepMs) buckets.push(t)
  return { q, m, stepMs, first, buckets, groupBy }
}

/** The series of a stored metric over a checked plan (see `planSeries`). */
export async function storedMetricSeries(ch: ClickHouseClient, plan: SeriesPlan): Promise<MetricSeries[]> {
  const { q, m, stepMs, first, buckets, groupBy } = plan
  const min = q.minSamples ?? m.minSamples
  const rows = await runStats(ch, shapeOf(q, m, stepMs))
  const items = rows.map((r) => ({
    t: r.bucket_ms ?? first,
    v: { labels: labelsOf(r, groupBy), ...finalizeValue(m, r, min) },
  }))
  return seriesFrom(buckets, groupBy, items, finalizeValue(m, undefined, min))
}

export function seriesFrom(
  buckets: number[],
  groupBy: string[],
  items: Array<{ t: number; v: MetricValue }>,
  empty: Omit<MetricValue, 'labels'>,
): MetricSeries[] {
  const groups = new Map<string, { labels: Record<string, string>; byT: Map<number, MetricValue> }>()
  if (groupBy.length === 0) groups.set('{}', { labels: {}, byT: new Map() })
  for (const { t, v } of items) {
    const key = JSON.stringify(v.labels)
    let g = groups.get(key)
    if (!g) {
      g = { labels: v.labels, byT: new Map() }
      groups.set(key, g)
    }
    g.byT.set(t, v)
  }
  return [...groups.values()].map((g) => ({
    labels: g.labels,
    points: buckets.map((t) => {
      const v = g.byT.get(t)
      return v
        ? { t, n: v.n, value: v.value, lo: v.lo, hi: v.hi, insufficient: v.insufficient }
        : { t, ...empty }
    }),
  }))
}
