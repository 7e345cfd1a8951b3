import type { Dimension, SeriesFilters, SeriesQuery, WindowQuery } from '@leash/shared'

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
  | 'kappa' // Cohen's kappa of two binary raters, x and y (large-sample SE interval)

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

// The query vocabulary is shared with the dashboard (@leash/shared vocabulary.ts); these are its names here.
export type MetricDimension = Dimension
export type MetricFilters = SeriesFilters
export type MetricWindowQuery = WindowQuery
export type MetricSeriesQuery = SeriesQuery

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
  /** Rates of binary scorers read with labels (metrics/corrected.ts): which estimate, and the labels used. */
  estimate?: 'corrected' | 'corrected-judge' | 'raw'
  labelsUsed?: number
}

export interface MetricSeries {
  labels: Record<string, string>
  points: Array<
    { t: number } & Omit<MetricValue, 'labels'> & {
        /** Rate metrics of binary scorers: corrected with labels or raw (metrics/corrected.ts), and the labels used. */
        estimate?: 'corrected' | 'corrected-judge' | 'raw'
        labels?: number
      }
  >
}
