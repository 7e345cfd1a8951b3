import type { ClickHouseClient } from '@clickhouse/client'
import type { TimeSeries, TimeSeriesPoint } from '@leash/shared'
import { z } from 'zod'

const MAX_BUCKETS = 10_000

export const OverviewTimeSeriesParams = z
  .object({
    projectId: z.string().min(1),
    from: z.date(),
    to: z.date(),
    stepSeconds: z
      .number()
      .int()
      .min(1)
      .max(86_400 * 31),
  })
  .refine((p) => p.to.getTime() > p.from.getTime(), 'to must be after from')
  .refine(
    (p) => (p.to.getTime() - p.from.getTime()) / (p.stepSeconds * 1000) <= MAX_BUCKETS,
    `at most ${MAX_BUCKETS} buckets`,
  )
export type OverviewTimeSeriesParams = z.infer<typeof OverviewTimeSeriesParams>

const BucketRowDb = z.object({
  bucket_ms: z.coerce.number(),
  requests: z.coerce.number(),
  errors: z.coerce.number(),
  refusal_rate: z.number().nullable(),
  latency_p50: z.number().nullable(),
  latency_p95: z.number().nullable(),
})
type BucketRowDb = z.infer<typeof BucketRowDb>

/**
 * Every overview metric, defined once. Buckets are epoch-aligned multiples of the step, so a refreshing
 * chart keeps stable buckets. refusal_rate counts only exchanges with a `refusal` score (latest label
 * per event): NULL when none in the bucket, never 0.
 */
const SQL = `
WITH
  exchanges AS (
    SELECT event_id, time, status, outcome, latency_ms
    FROM raw_responses_v1 FINAL
    WHERE project_id = {projectId:String}
      AND time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC')
      AND time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
  ),
  refusals AS (
    SELECT event_id, argMax(label, scored_at) AS label, 1 AS scored
    FROM scores_v1 FINAL
    WHERE project_id = {projectId:String} AND name = 'refusal'
      AND time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC')
      AND time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
    GROUP BY event_id
  )
SELECT
  intDiv(toUnixTimestamp64Milli(e.time), {stepMs:Int64}) * {stepMs:Int64} AS bucket_ms,
  count() AS requests,
  countIf(e.status >= 400 OR e.outcome != 'ok') AS errors,
  sumIf(r.scored, r.label IN ('full', 'partial')) / nullIf(sum(r.scored), 0) AS refusal_rate,
  quantile(0.5)(e.latency_ms) AS latency_p50,
  quantile(0.95)(e.latency_ms) AS latency_p95
FROM exchanges AS e
LEFT JOIN refusals AS r ON r.event_id = e.event_id
GROUP BY bucket_ms
ORDER BY bucket_ms`

function toPoint(t: number, row: BucketRowDb | undefined): TimeSeriesPoint {
  return {
    t: new Date(t).toISOString(),
    requests: row?.requests ?? 0,
    errors: row?.errors ?? 0,
    refusal_rate: row?.refusal_rate ?? null,
    latency_p50: row?.latency_p50 ?? null,
    latency_p95: row?.latency_p95 ?? null,
  }
}

/** Overview metrics per step bucket over [from, to); buckets without traffic are filled with 0 and nulls. */
export const overviewTimeSeries =
  (ch: ClickHouseClient) =>
  async (input: OverviewTimeSeriesParams): Promise<TimeSeries> => {
    const p = OverviewTimeSeriesParams.parse(input)
    const fromMs = p.from.getTime()
    const toMs = p.to.getTime()
    const stepMs = p.stepSeconds * 1000
    const rs = await ch.query({
      query: SQL,
      query_params: { projectId: p.projectId, fromMs, toMs, stepMs },
      format: 'JSONEachRow',
    })
    const rows = z.array(BucketRowDb).parse(await rs.json())
    const byBucket = new Map(rows.map((r) => [r.bucket_ms, r]))
    const points: TimeSeriesPoint[] = []
    for (let t = Math.floor(fromMs / stepMs) * stepMs; t < toMs; t += stepMs)
      points.push(toPoint(t, byBucket.get(t)))
    return { from: p.from.toISOString(), to: p.to.toISOString(), step: p.stepSeconds, points }
  }
