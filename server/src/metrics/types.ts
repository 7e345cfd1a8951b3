/**
 * The contract between the metric catalog (metrics/catalog.ts, metrics/query.ts) and its readers:
 * the API, the alert evaluator and the weekly report. One definition per metric, one query path.
 */

export type MetricUnit = 'ratio' | 'ms' | 'usd' | 'tokens' | 'score' | 'count' | 'per_second'

/** How a metric aggregates; decides its confidence interval. */
export type MetricAggregate =
  | 'rate' // share of rows where a condition holds (Wilson interval)
  | 'mean' // mean of a value (normal interval from the variance)
  | 'quantile' // p50/p95/p99 of a value (interval from order statistics)
  | 'sum' // total (no interval)
  | 'correlation' // Pearson/Spearman between two values (Fisher z interval)

export type MetricFamily = 'safety' | 'usefulness' | 'truth' | 'cost_latency' | 'control'

export interface MetricDef {
  name: string
  family: MetricFamily
  unit: MetricUnit
  aggregate: MetricAggregate
  description: string
  /** The formula in words, shown in the UI and the report, e.g. "false_refusal = 1 / scored benign prompts". */
  formula: string
  /** Below this many samples the value is "insufficient data": null, never a number, never zero. */
  minSamples: number
  /** Direction of "better", for trade-off and change rules. */
  better: 'higher' | 'lower' | 'none'
  /** Quantile metrics: the level, e.g. 0.95. */
  quantile?: number
}

/** Slicing dimensions every metric supports. */
export type MetricDimension = 'model' | 'route' | 'feature' | 'policy_version' | 'upstream'

export interface MetricFilters {
  model?: string
  route?: string
  feature?: string
  policy_version?: string
  upstream?: string
  /** x-leash-tags k=v pairs that must all match. */
  tags?: Record<string, string>
}

export interface MetricWindowQuery {
  projectId: string
  metric: string
  /** Epoch ms, inclusive. */
  from: number
  /** Epoch ms, exclusive. */
  to: number
  filters?: MetricFilters
  /** One result per distinct combination of these dimensions; none = one result for the project. */
  groupBy?: MetricDimension[]
  /** Overrides the catalog's minSamples (descriptive charts use 1; decisions keep the catalog's). */
  minSamples?: number
}

export interface MetricValue {
  /** The group's dimension values ({} without groupBy). */
  labels: Record<string, string>
  /** Samples behind the value (rows for rates/means, pairs for correlations). */
  n: number
  /** null when n < minSamples (insufficient) or there were no rows. */
  value: number | null
  /** Confidence interval (95%) bounds; null when no interval applies or data is insufficient. */
  lo: number | null
  hi: number | null
  insufficient: boolean
}

export interface MetricSeriesQuery extends MetricWindowQuery {
  stepSeconds: number
}

export interface MetricSeries {
  labels: Record<string, string>
  points: Array<{ t: number } & Omit<MetricValue, 'labels'>>
}
