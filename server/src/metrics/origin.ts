import type { MetricDef } from './types.ts'

/**
 * Where a metric's samples come from. The query layer (metrics/sql.ts) turns a source into SQL over raw
 * rows and, when `rollup` holds, over the hourly rollups. SQL fragments here are static code, never input.
 */
export type MetricOrigin =
  | { kind: 'requests' }
  /** Share of exchanges where `cond` holds (SQL over raw_responses_v1 columns). */
  | { kind: 'exchange_rate'; cond: string; rollup?: { k: string; n: string } }
  /** A numeric exchange column; `where` restricts the rows that count as samples. */
  | { kind: 'exchange_value'; expr: string; where?: string; rollup?: ExchangeRollup }
  /** Share of scored exchanges that pass: label in `labels` (a score without a label falls back to value >= 0.5). */
  | { kind: 'score_rate'; score: string; labels?: string[] }
  /** A score's value per exchange (the latest per event). */
  | { kind: 'score_value'; score: string }
  /** false_refusal >= 0.5 among exchanges whose prompt_risk < 0.5 (benign). */
  | { kind: 'false_refusal' }
  /** A per-event feedback field (latest post wins). */
  | { kind: 'feedback'; field: 'thumbs_up' | 'task_completed' | 'refusal_wrong' | 'edit_distance' }
  /** A per-session figure, averaged over sessions. */
  | { kind: 'session'; expr: 'context_growth' | 'tool_calls' }
  /** Pearson correlation between a score and the response length, per exchange. */
  | { kind: 'score_length_correlation'; score: string }
  /** Share of responses whose opening (first 8 words) occurs more than once in the window. */
  | { kind: 'template_repeat' }
  /** Reward trend minus truth trend across the window's halves (see metrics/goodhart.ts). */
  | { kind: 'goodhart' }
  /**
   * Instrument health: agreement of a binary scorer with the uniformly sampled human labels of `label`
   * (labels_v1). `scorerPositive` is static SQL over the score pivot (v0, l0); `labelPositive` the label
   * values that count as positive.
   */
  | {
      kind: 'label_agreement'
      score: string
      label: string
      measure: 'accuracy' | 'sensitivity' | 'specificity' | 'kappa'
      scorerPositive: string
      labelPositive: string[]
    }
  /** Answered exchanges not recorded (ingest_health_v1): no exchange behind them, so no dimensions. */
  | { kind: 'ingest_health' }

/** Rollup columns of responses_per_hour_v1: n, sum and sum of squares, or a digest. */
export interface ExchangeRollup {
  n: string
  sum?: string
  sq?: string
  digest?: string
}

export interface CatalogMetric extends MetricDef {
  source: MetricOrigin
}
