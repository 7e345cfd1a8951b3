import { collectDefaultMetrics, Registry } from 'prom-client'
import { type CallSeries, CallSeriesTable, LATENCY_BUCKETS, ScorerSeriesTable } from './series.ts'

/**
 * Leash's own metrics (`GET /metrics`, Prometheus text). Process metrics (RSS, GC, event-loop lag)
 * come from prom-client's defaults; the gateway and scorer pool count into preallocated series
 * (series.ts); spool and ingest figures are read from the pipeline's own status when scraped.
 */
export const registry = new Registry()
collectDefaultMetrics({ register: registry })

const calls = new CallSeriesTable()
const scorers = new ScorerSeriesTable()

/** What the gateway knows about a finished call (its exchange state has these fields). */
export interface CallFacts {
  endpoint: string
  route: string
  upstream: string
  status: number
  outcome: string
  /** performance.now() at arrival, first upstream body byte (ms after t0), and end. */
  t0: number
  ttftMs: number | null
  endedAt: number | null
}

/** One finished gateway call. Called once per exchange; allocates nothing for labels seen before. */
export function observeCall(c: CallFacts): void {
  const s = calls.get(c.endpoint, c.route, c.upstream, c.status)
  s.requests++
  s.duration.observe(((c.endedAt ?? performance.now()) - c.t0) / 1000)
  if (c.ttftMs !== null) s.ttfb.observe(c.ttftMs / 1000)
  if (c.outcome !== 'ok') s.errors.set(c.outcome, (s.errors.get(c.outcome) ?? 0) + 1)
}

/** A batch handed to the scoring threads; `scorerBatchDone` when every scorer has answered it. */
export function scorerBatchQueued(): void {
  scorers.queued++
}

export function scorerBatchDone(outcomes: Record<string, { ok: boolean }>, exchanges: number): void {
  scorers.queued--
  for (const name in outcomes) {
    const s = scorers.get(name)
    s.batches++
    if (outcomes[name]?.ok) s.exchanges += exchanges
    else s.failures++
  }
}

/** The parts of the pipeline's status (`GET /api/ingest/status`) read at each scrape. */
export interface IngestFigures {
  spool: {
    records: number
    bytes: number
    oldestAgeMs: number
    droppedNew: number
    droppedOld: number
    droppedDiskFull: number
    writeErrors: number
  }
  insert: {
    rowsPerSecond: number
    written: number
    scored: number
    invalid: number
    deadLettered: number
    errors: number
    lastSuccessAt: string | null
  }
  gateway?: { inflight: number }
}

let ingest: (() => IngestFigures) | null = null

/** The running Leash's ingest status; returns a function that unregisters it (on close). */
export function observeIngest(read: () => IngestFigures): () => void {
  ingest = read
  return () => {
    if (ingest === read) ingest = null
  }
}

interface Value {
  value: number
  labels?: Record<string, string | number>
  metricName?: string
}

/** A metric whose values are computed when scraped (the shape prom-client's registry formats). */
type MetricType = 'counter' | 'gauge' | 'histogram'

function sampled(name: string, help: string, type: MetricType, read: () => Value[]): void {
  registry.registerMetric({
    name,
    help,
    type,
    get: async () => ({ name, help, type, values: read(), aggregator: 'sum' }),
  } as unknown as Parameters<Registry['registerMetric']>[0])
}

const CALL_LABELS = (s: CallSeries) => ({
  endpoint: s.endpoint,
  route: s.route,
  upstream: s.upstream,
  status: s.status,
})

function histogram(name: string, help: string, pick: (s: CallSeries) => CallSeries['duration']): void {
  sampled(name, help, 'histogram', () => {
    const out: Value[] = []
    for (const s of calls.all) {
      const b = pick(s)
      if (b.count === 0) continue
      const labels = CALL_LABELS(s)
      let cumulative = 0
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += b.counts[i] as number
        out.push({
          metricName: `${name}_bucket`,
          labels: { ...labels, le: LATENCY_BUCKETS[i] as number },
          value: cumulative,
        })
      }
      out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: b.count })
      out.push({ metricName: `${name}_sum`, labels, value: b.sum })
      out.push({ metricName: `${name}_count`, labels, value: b.count })
    }
    return out
  })
}

sampled(
  'leash_gateway_requests_total',
  'Gateway calls answered, by endpoint, route, upstream and status.',
  'counter',
  () => calls.all.map((s) => ({ labels: CALL_LABELS(s), value: s.requests })),
)
sampled(
  'leash_gateway_errors_total',
  'Gateway calls whose outcome was not ok (upstream_error, timeout, client_aborted, gateway_error, ...).',
  'counter',
  () =>
    calls.all.flatMap((s) =>
      [...s.errors].map(([outcome, value]) => ({
        labels: { endpoint: s.endpoint, route: s.route, upstream: s.upstream, outcome },
        value,
      })),
    ),
)
histogram(
  'leash_gateway_request_duration_seconds',
  'Gateway call duration, arrival to last byte.',
  (s) => s.duration,
)
histogram(
  'leash_gateway_time_to_first_byte_seconds',
  "Arrival to the upstream's first response body byte (time to first token when streaming).",
  (s) => s.ttfb,
)

const fromIngest = (pick: (f: IngestFigures) => Value[] | number) => (): Value[] => {
  if (!ingest) return []
  const v = pick(ingest())
  return typeof v === 'number' ? [{ value: v }] : v
}

sampled(
  'leash_gateway_inflight_requests',
  'Gateway calls being answered now.',
  'gauge',
  fromIngest((f) => f.gateway?.inflight ?? 0),
)
sampled(
  'leash_spool_records',
  'Exchanges in the spool not yet stored in ClickHouse.',
  'gauge',
  fromIngest((f) => f.spool.records),
)
sampled(
  'leash_spool_bytes',
  'Bytes held by the spool.',
  'gauge',
  fromIngest((f) => f.spool.bytes),
)
sampled(
  'leash_spool_oldest_age_seconds',
  'Age of the oldest exchange waiting in the spool.',
  'gauge',
  fromIngest((f) => f.spool.oldestAgeMs / 1000),
)
sampled(
  'leash_spool_dropped_total',
  'Exchanges the spool dropped, by reason.',
  'counter',
  fromIngest((f) => [
    { labels: { reason: 'full_new' }, value: f.spool.droppedNew },
    { labels: { reason: 'full_oldest' }, value: f.spool.droppedOld },
    { labels: { reason: 'disk_full' }, value: f.spool.droppedDiskFull },
  ]),
)
sampled(
  'leash_spool_write_errors_total',
  'Failed spool appends.',
  'counter',
  fromIngest((f) => f.spool.writeErrors),
)
sampled(
  'leash_ingest_rows_written_total',
  'Exchange rows stored in ClickHouse.',
  'counter',
  fromIngest((f) => f.insert.written),
)
sampled(
  'leash_ingest_score_rows_written_total',
  'Score rows stored in ClickHouse (scorer throughput).',
  'counter',
  fromIngest((f) => f.insert.scored),
)
sampled(
  'leash_ingest_rows_per_second',
  'Exchange rows stored per second over the last minute.',
  'gauge',
  fromIngest((f) => f.insert.rowsPerSecond),
)
sampled(
  'leash_ingest_insert_failures_total',
  'ClickHouse inserts that failed (retried from the spool).',
  'counter',
  fromIngest((f) => f.insert.errors),
)
sampled(
  'leash_ingest_rows_invalid_total',
  'Rows dropped because they failed validation.',
  'counter',
  fromIngest((f) => f.insert.invalid),
)
sampled(
  'leash_ingest_rows_dead_lettered_total',
  'Rows ClickHouse refused twice, moved to the dead-letter file.',
  'counter',
  fromIngest((f) => f.insert.deadLettered),
)
sampled(
  'leash_ingest_last_success_timestamp_seconds',
  'Unix time of the last successful insert (0: none yet).',
  'gauge',
  fromIngest((f) => (f.insert.lastSuccessAt ? Date.parse(f.insert.lastSuccessAt) / 1000 : 0)),
)

sampled(
  'leash_scorer_queue_batches',
  'Scoring batches handed to scorer threads and not answered yet.',
  'gauge',
  () => [{ value: scorers.queued }],
)
sampled('leash_scorer_exchanges_total', 'Exchanges scored, by scorer.', 'counter', () =>
  [...scorers.byName].map(([scorer, s]) => ({ labels: { scorer }, value: s.exchanges })),
)
sampled('leash_scorer_batch_failures_total', 'Scoring batches that failed, by scorer.', 'counter', () =>
  [...scorers.byName].map(([scorer, s]) => ({ labels: { scorer }, value: s.failures })),
)

/** The whole exposition, and its content type. */
export async function metricsText(): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType }
}
