import type { ClickHouseClient } from '@clickhouse/client'
import { LeashError } from '../errors.ts'
import { Z95 } from '../stats/normal.ts'
import { finalizeValue, type SeriesPlan, seriesFrom, storedMetricWindow } from './stored.ts'
import type { MetricSeries, MetricSeriesQuery, MetricValue, MetricWindowQuery } from './types.ts'

const GOODHART_MAX_BUCKETS = 200

const REWARD = 'reward_mean'
const TRUTH = 'citation_support_rate'

/** Standard deviation implied by a normal mean interval: (hi - lo) / (2 z) * sqrt(n). */
function sdOf(v: MetricValue | undefined): number | null {
  if (!v || v.value === null || v.lo === null || v.hi === null || v.n < 2) return null
  const sd = ((v.hi - v.lo) / (2 * Z95)) * Math.sqrt(v.n)
  return sd > 0 ? sd : null
}

/**
 * Goodhart gap: how far reward rose (in its own standard deviations) between the window's first and
 * second half, minus how far truth (citation support) rose. Positive = reward up while truth falls.
 * Variance of each standardized difference ~ 1/n1 + 1/n2, so the interval is normal.
 */
export async function goodhartWindow(ch: ClickHouseClient, q: MetricWindowQuery): Promise<MetricValue[]> {
  const mid = q.from + Math.floor((q.to - q.from) / 2)
  const base = {
    projectId: q.projectId,
    ...(q.filters ? { filters: q.filters } : {}),
    ...(q.groupBy ? { groupBy: q.groupBy } : {}),
  }
  const [rAll, r1, r2, tAll, t1, t2] = await Promise.all([
    storedMetricWindow(ch, { ...base, metric: REWARD, from: q.from, to: q.to }),
    storedMetricWindow(ch, { ...base, metric: REWARD, from: q.from, to: mid }),
    storedMetricWindow(ch, { ...base, metric: REWARD, from: mid, to: q.to }),
    storedMetricWindow(ch, { ...base, metric: TRUTH, from: q.from, to: q.to }),
    storedMetricWindow(ch, { ...base, metric: TRUTH, from: q.from, to: mid }),
    storedMetricWindow(ch, { ...base, metric: TRUTH, from: mid, to: q.to }),
  ])
  const key = (v: MetricValue) => JSON.stringify(v.labels)
  const index = (vs: MetricValue[]) => new Map(vs.map((v) => [key(v), v]))
  const [R1, R2, TA, T1, T2] = [r1, r2, tAll, t1, t2].map(index) as Array<Map<string, MetricValue>>
  return rAll.map((ra) => {
    const k = key(ra)
    const a = R1?.get(k)
    const b = R2?.get(k)
    const ta = TA?.get(k)
    const c = T1?.get(k)
    const d = T2?.get(k)
    const sdR = sdOf(ra)
    const sdT = sdOf(ta)
    const n = Math.min(ra.n, ta?.n ?? 0)
    if (
      !a ||
      !b ||
      !c ||
      !d ||
      a.value === null ||
      b.value === null ||
      c.value === null ||
      d.value === null ||
      !sdR ||
      !sdT
    )
      return { labels: ra.labels, n, value: null, lo: null, hi: null, insufficient: true }
    const value = (b.value - a.value) / sdR - (d.value - c.value) / sdT
    const half = Z95 * Math.sqrt(1 / a.n + 1 / b.n + 1 / c.n + 1 / d.n)
    return { labels: ra.labels, n, value, lo: value - half, hi: value + half, insufficient: false }
  })
}

/** Each bucket is its own two-halves comparison (six window queries), so the bucket count is kept small. */
export async function goodhartSeries(
  ch: ClickHouseClient,
  query: MetricSeriesQuery,
  plan: SeriesPlan,
): Promise<MetricSeries[]> {
  const { q, m, stepMs, buckets, groupBy } = plan
  if (buckets.length > GOODHART_MAX_BUCKETS)
    throw new LeashError('bad_request', `goodhart_gap series take at most ${GOODHART_MAX_BUCKETS} buckets`)
  const perBucket = await Promise.all(
    buckets.map((t) =>
      goodhartWindow(ch, { ...query, from: Math.max(t, q.from), to: Math.min(t + stepMs, q.to) }),
    ),
  )
  return seriesFrom(
    buckets,
    groupBy,
    perBucket.flatMap((vals, i) => vals.map((v) => ({ t: buckets[i] as number, v }))),
    finalizeValue(m, undefined),
  )
}
