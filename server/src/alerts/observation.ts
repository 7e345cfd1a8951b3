import type { Outcome } from './machine.ts'

export interface Figure {
  value: number | null
  lo: number | null
  hi: number | null
  n: number
}

/** One rule's verdict for one label set, with the figures that justify it (the incident's evidence). */
export interface Observation {
  labels: Record<string, string>
  outcome: Exclude<Outcome, 'error'>
  /** Metric whose value is reported (the moving leg for trade-offs). */
  metric: string
  /** The compared quantity: the metric, its change, a drift statistic or a burn rate. */
  value: number | null
  lo: number | null
  hi: number | null
  n: number
  threshold: number
  clear: number
  /** Which side is bad: '>' = higher is worse. */
  op: '>' | '<'
  /** Rates of binary scorers: corrected with labels or raw (metrics/corrected.ts). */
  estimate?: 'corrected' | 'corrected-judge' | 'raw'
  /** Uniform human labels behind a corrected estimate (0 when raw). */
  labelsUsed?: number
  /** The metric itself, when `value` is a derived quantity (change, burn rate). */
  current?: Figure
  baseline?: (Figure & { from: string; to: string; label?: string }) | null
  from: string
  to: string
  summary: string
  extra?: Record<string, unknown>
}

/** Whether `value` is worse than `ref` for this observation's direction. */
export const isWorse = (op: '>' | '<', value: number, ref: number): boolean =>
  op === '>' ? value > ref : value < ref
