import type { MetricFilters, MetricValue, MetricWindowQuery } from '../metrics/types.ts'

export interface DriftQuery {
  projectId: string
  metric: string
  statistic: 'psi' | 'js' | 'ks'
  current: { from: number; to: number; filters?: MetricFilters }
  baseline: { from: number; to: number; filters?: MetricFilters }
}

export interface DriftResult {
  value: number | null
  n: number
  baselineN: number
  insufficient: boolean
  pValue?: number | null
}

export interface ExampleResponse {
  eventId: string
  excerpt: string
  value?: number | null
}

export interface ExamplesQuery {
  projectId: string
  metric: string
  from: number
  to: number
  filters?: MetricFilters
  limit: number
}

/** What the evaluator reads; production calls the metric catalog and drift statistics over ClickHouse. */
export interface MetricSource {
  window(q: MetricWindowQuery): Promise<MetricValue[]>
  drift(q: DriftQuery): Promise<DriftResult>
  examples(q: ExamplesQuery): Promise<ExampleResponse[]>
  /** The catalog's minimum sample size, direction of "better" and whether it has dimensions (default yes). */
  describe(
    metric: string,
  ): { minSamples: number; better: 'higher' | 'lower' | 'none'; dimensions?: boolean } | undefined
}
