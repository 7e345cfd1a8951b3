import type { ClickHouseClient } from '@clickhouse/client'
import { type ExchangesPage, SERIES_MAX_BUCKETS, type TimeSeries, type TimeSeriesPoint } from '@leash/shared'
import { type ListExchangesParams, listExchanges } from '../db/clickhouse/index.ts'
import { LeashError } from '../errors.ts'
import { queryMetricSeries } from './query.ts'

const NICE_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400]
const TARGET_BUCKETS = 60

/** Picks a readable bucket size giving about 60 points over the range. */
export function pickStep(rangeMs: number): number {
  const raw = rangeMs / 1000 / TARGET_BUCKETS
  return NICE_STEPS.find((s) => s >= raw) ?? 86_400
}

export interface OverviewInput {
  projectId: string
  from?: Date
  to?: Date
  step?: number
}

const OVERVIEW_METRICS = ['requests', 'errors', 'refusal_rate', 'latency_p50', 'latency_p95'] as const

/**
 * The dashboard's overview chart, read through the metric catalog. A chart describes rather than decides,
 * so a bucket shows a value from one sample on (minSamples 1); null still means "no data", never zero.
 */
export async function overview({
  ctx: { ch },
  input,
}: {
  ctx: { ch: ClickHouseClient }
  input: OverviewInput
}): Promise<TimeSeries> {
  const to = input.to ?? new Date()
  const from = input.from ?? new Date(to.getTime() - 3600_000)
  const range = to.getTime() - from.getTime()
  if (!(range > 0)) throw new LeashError('bad_request', '`from` must be before `to`')
  const step = input.step ?? pickStep(range)
  if (range / 1000 / step > SERIES_MAX_BUCKETS) {
    throw new LeashError(
      'bad_request',
      `range/step gives more than ${SERIES_MAX_BUCKETS} buckets; use a larger step`,
    )
  }
  const series = await Promise.all(
    OVERVIEW_METRICS.map((metric) =>
      queryMetricSeries(ch, {
        projectId: input.projectId,
        metric,
        from: from.getTime(),
        to: to.getTime(),
        stepSeconds: step,
        minSamples: 1,
      }),
    ),
  )
  const [requests, errors, refusal, p50, p95] = series.map((s) => s[0]?.points ?? [])
  const points: TimeSeriesPoint[] = (requests ?? []).map((r, i) => ({
    t: new Date(r.t).toISOString(),
    requests: r.value ?? 0,
    errors: errors?.[i]?.value ?? 0,
    refusal_rate: refusal?.[i]?.value ?? null,
    latency_p50: p50?.[i]?.value ?? null,
    latency_p95: p95?.[i]?.value ?? null,
  }))
  return { from: from.toISOString(), to: to.toISOString(), step, points }
}

export async function exchanges({
  ctx: { ch },
  input,
}: {
  ctx: { ch: ClickHouseClient }
  input: ListExchangesParams
}): Promise<ExchangesPage> {
  return listExchanges(ch)(input)
}
