import type { TimeSeries, TimeSeriesPoint } from '@leash/shared'

/** One chart row; null stays null so recharts draws a gap, never a zero. */
export interface ChartRow {
  t: number
  requestsPerMin: number
  errors: number
  refusalPct: number | null
  p50: number | null
  p95: number | null
}

function toRow(p: TimeSeriesPoint, step: number): ChartRow {
  return {
    t: Date.parse(p.t),
    requestsPerMin: (p.requests * 60) / step,
    errors: p.errors,
    refusalPct: p.refusal_rate === null ? null : p.refusal_rate * 100,
    p50: p.latency_p50,
    p95: p.latency_p95,
  }
}

function emptyRow(t: number): ChartRow {
  return { t, requestsPerMin: 0, errors: 0, refusalPct: null, p50: null, p95: null }
}

/**
 * Lay the points on a full grid over [from, to): a bucket the server left out had no requests
 * (0 req/min) and no measurements (null). The grid keeps the phase of the server's buckets.
 */
export function toChartRows(series: TimeSeries): ChartRow[] {
  const stepMs = series.step * 1000
  const from = Date.parse(series.from)
  const to = Date.parse(series.to)
  const byTime = new Map<number, ChartRow>()
  for (const p of series.points) {
    const row = toRow(p, series.step)
    byTime.set(row.t, row)
  }
  const first = series.points[0]
  if (!Number.isFinite(from) || !Number.isFinite(to) || stepMs <= 0 || to - from > stepMs * 2000) {
    return [...byTime.values()].sort((a, b) => a.t - b.t)
  }
  const phase = first ? ((Date.parse(first.t) % stepMs) + stepMs) % stepMs : 0
  let t = Math.floor((from - phase) / stepMs) * stepMs + phase
  for (; t < to; t += stepMs) if (!byTime.has(t)) byTime.set(t, emptyRow(t))
  return [...byTime.values()].sort((a, b) => a.t - b.t)
}

export interface Summary {
  requests: number
  errorRate: number | null
  refusalRate: number | null
  p50: number | null
  p95: number | null
  /** True when latency had to be combined from several buckets (percentiles do not add up exactly). */
  approximate: boolean
}

/** Totals for the range from the summary series (one bucket for ranges up to a day). */
export function summarize(series: TimeSeries): Summary {
  let requests = 0
  let errors = 0
  let refusalWeighted = 0
  let refusalWeight = 0
  let p50Weighted = 0
  let latencyWeight = 0
  let p95: number | null = null
  let latencyBuckets = 0
  for (const p of series.points) {
    requests += p.requests
    errors += p.errors
    const w = Math.max(p.requests, 1)
    if (p.refusal_rate !== null) {
      refusalWeighted += p.refusal_rate * w
      refusalWeight += w
    }
    if (p.latency_p50 !== null) {
      p50Weighted += p.latency_p50 * w
      latencyWeight += w
      latencyBuckets += 1
    }
    if (p.latency_p95 !== null) p95 = p95 === null ? p.latency_p95 : Math.max(p95, p.latency_p95)
  }
  return {
    requests,
    errorRate: requests > 0 ? errors / requests : null,
    refusalRate: refusalWeight > 0 ? refusalWeighted / refusalWeight : null,
    p50: latencyWeight > 0 ? p50Weighted / latencyWeight : null,
    p95,
    approximate: latencyBuckets > 1,
  }
}
