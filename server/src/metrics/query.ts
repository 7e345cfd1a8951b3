import type { ClickHouseClient } from '@clickhouse/client'
import type { Db } from '../db/postgres/index.ts'
import { correctSeries, correctWindow } from './corrected.ts'
import { goodhartSeries, goodhartWindow } from './goodhart.ts'
import { parseWindow, planSeries, requireMetric, storedMetricSeries, storedMetricWindow } from './stored.ts'
import type { MetricSeries, MetricSeriesQuery, MetricValue, MetricWindowQuery } from './types.ts'

export type { ExampleResponse, SampleQuery, WorstExamplesQuery } from './samples.ts'
export { sampleMetricValues, worstExamples } from './samples.ts'
export { finalizeValue } from './stored.ts'

/**
 * The metrics every consumer reads: stored metrics come from ClickHouse (stored.ts), derived ones
 * (the Goodhart gap) are computed from stored ones one layer up (goodhart.ts).
 */

/** One value per group over [from, to). */
export async function queryMetricWindow(
  ch: ClickHouseClient,
  query: MetricWindowQuery,
): Promise<MetricValue[]> {
  const m = requireMetric(parseWindow(query).metric)
  return m.source.kind === 'goodhart' ? goodhartWindow(ch, query) : storedMetricWindow(ch, query)
}

/**
 * THE parametric time series (metric, filters, granularity) behind the API, alerts and reports. Buckets
 * are epoch-aligned multiples of the step; empty buckets are present with n = 0 (null, or 0 for sums).
 */
export async function queryMetricSeries(
  ch: ClickHouseClient,
  query: MetricSeriesQuery,
): Promise<MetricSeries[]> {
  const plan = planSeries(query)
  return plan.m.source.kind === 'goodhart' ? goodhartSeries(ch, query, plan) : storedMetricSeries(ch, plan)
}

/**
 * The series with each point's estimate: rates of binary scorers corrected with the uniformly sampled
 * human labels where there are enough (metrics/corrected.ts), raw otherwise; every point says which.
 */
export async function queryEstimatedSeries(
  ctx: { ch: ClickHouseClient; db: Db },
  query: MetricSeriesQuery,
  estimate: 'corrected' | 'raw' = 'corrected',
): Promise<MetricSeries[]> {
  const plan = planSeries(query)
  const raw =
    plan.m.source.kind === 'goodhart'
      ? await goodhartSeries(ctx.ch, query, plan)
      : await storedMetricSeries(ctx.ch, plan)
  return correctSeries(ctx, plan, raw, estimate)
}

/** `queryMetricWindow` with each value's estimate (see `queryEstimatedSeries`): what alert rules read. */
export async function queryEstimatedWindow(
  ctx: { ch: ClickHouseClient; db: Db },
  query: MetricWindowQuery,
  estimate: 'corrected' | 'raw' = 'corrected',
): Promise<MetricValue[]> {
  return correctWindow(ctx, query, await queryMetricWindow(ctx.ch, query), estimate)
}
