import type { MetricUnit } from '../metrics/types.ts'

const RATE = /(_rate|_share|^false_refusal|^violation|^refusal|coverage|support)/

/** A figure as on-call reads it: rates as percentages, latencies in ms, others with 3 significant digits. */
export function formatFigure(metric: string, v: number | null, unit?: MetricUnit): string {
  if (v === null || !Number.isFinite(v)) return 'n/a'
  if (unit === 'ratio' || (!unit && RATE.test(metric))) return `${round(v * 100)}%`
  if (unit === 'ms' || metric.includes('latency') || metric.includes('ttft')) return `${round(v)} ms`
  if (unit === 'usd' || metric.includes('cost')) return `$${round(v)}`
  return `${round(v)}`
}

export function formatCi(metric: string, lo: number | null, hi: number | null, unit?: MetricUnit): string {
  if (lo === null || hi === null) return ''
  const f = (x: number) => formatFigure(metric, x, unit).replace(/%| ms$/, '')
  return `CI ${f(lo)}-${f(hi)}`
}

function round(v: number): string {
  const a = Math.abs(v)
  if (a >= 100) return v.toFixed(0)
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, '')
  if (a >= 1) return v.toFixed(2).replace(/\.?0+$/, '')
  return Number(v.toPrecision(2)).toString()
}
