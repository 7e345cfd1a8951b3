import type { MetricDef } from '../metrics/types.ts'
import type { Comparison, ReportMetricRow, Verdict } from './weekly.ts'

/** The words a report shows for a row's estimate: `corrected (N labels)`, `raw`, or '' (not a scorer rate). */
export function estimateWords(row: Pick<ReportMetricRow, 'estimate' | 'labels'>): string {
  if (row.estimate === 'corrected') return `corrected (${row.labels ?? 0} labels)`
  if (row.estimate === 'corrected-judge') return `corrected by judge (${row.labels ?? 0} judge labels)`
  return row.estimate === 'raw' ? 'raw' : ''
}

/** A metric value in its unit, for people. */
export function formatValue(v: number | null, unit: MetricDef['unit']): string {
  if (v === null || !Number.isFinite(v)) return 'insufficient data'
  switch (unit) {
    case 'ratio':
      return `${(v * 100).toFixed(1)}%`
    case 'ms':
      return `${Math.round(v)} ms`
    case 'usd':
      return Math.abs(v) >= 1 ? `$${v.toFixed(2)}` : `$${v.toPrecision(3)}`
    case 'count':
      // Counts are whole: "0", never "0.0".
      return Math.round(v).toLocaleString('en-US')
    case 'tokens':
      return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)
    default:
      return v.toFixed(3)
  }
}

export function formatChange(c: Comparison | null, unit: MetricDef['unit']): string {
  if (!c) return ''
  if (c.delta === null) return 'n/a'
  const sign = c.delta > 0 ? '+' : c.delta < 0 ? '-' : ''
  const abs = Math.abs(c.delta)
  const body = unit === 'ratio' ? `${(abs * 100).toFixed(1)} pts` : formatValue(abs, unit)
  const rel =
    c.relative !== null && unit !== 'ratio' ? ` (${sign}${Math.abs(c.relative * 100).toFixed(0)}%)` : ''
  return `${sign}${body}${rel}`
}

export function formatP(c: Comparison | null): string {
  if (!c || c.pAdjusted === null) return '-'
  const q = c.pAdjusted < 0.001 ? '<0.001' : c.pAdjusted.toFixed(3)
  return `${q}${c.significant ? ' *' : ''}`
}

export const VERDICT_LABEL: Record<Verdict, string> = {
  better: 'better',
  worse: 'WORSE',
  changed: 'changed',
  unchanged: '',
  insufficient: 'insufficient data',
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '-'
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  const m = Math.round(s / 60)
  return m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`
}

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** A moment for people: `2026-12-02 02:06 UTC`. */
export const formatTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
