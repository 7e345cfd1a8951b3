import { Hono } from 'hono'
import { LeashError } from '../../errors.ts'
import type { IngestStatus } from '../../ingest/pipeline.ts'
import type { ApiContext, ApiEnv } from '../context.ts'

function metric(name: string, help: string, type: 'gauge' | 'counter', value: number): string {
  return `# HELP leash_${name} ${help}\n# TYPE leash_${name} ${type}\nleash_${name} ${value}\n`
}

/** The ingest status as Prometheus text exposition (scrape with the admin bearer token). */
export function prometheusText(s: IngestStatus): string {
  const lastSuccess = s.insert.lastSuccessAt ? Date.parse(s.insert.lastSuccessAt) / 1000 : 0
  return [
    metric('spool_records', 'Exchanges in the spool not yet stored in ClickHouse', 'gauge', s.spool.records),
    metric('spool_bytes', 'Bytes in the spool not yet stored in ClickHouse', 'gauge', s.spool.bytes),
    metric('spool_max_bytes', 'Spool size cap (LEASH_SPOOL_MAX_BYTES)', 'gauge', s.spool.maxBytes),
    metric(
      'spool_oldest_age_seconds',
      'Age of the oldest spooled exchange',
      'gauge',
      s.spool.oldestAgeMs / 1000,
    ),
    metric('spool_segments', 'Segment files on disk', 'gauge', s.spool.segments),
    metric(
      'spool_near_full',
      '1 when the spool is at 80% of its cap or more',
      'gauge',
      s.spool.nearFull ? 1 : 0,
    ),
    metric(
      'spool_full',
      '1 while the spool drops records (full policy in effect)',
      'gauge',
      s.spool.full ? 1 : 0,
    ),
    metric(
      'spool_dropped_new_total',
      'Exchanges dropped because the spool was full',
      'counter',
      s.spool.droppedNew,
    ),
    metric(
      'spool_dropped_old_total',
      'Spooled exchanges dropped to make room',
      'counter',
      s.spool.droppedOld,
    ),
    metric(
      'spool_dropped_disk_full_total',
      'Exchanges dropped because the disk was full (part of the dropped counters)',
      'counter',
      s.spool.droppedDiskFull,
    ),
    metric('spool_disk_full', '1 while the disk refuses spool writes', 'gauge', s.spool.diskFull ? 1 : 0),
    metric(
      'spool_memory_bytes',
      'Bytes held in memory while the disk refuses writes',
      'gauge',
      s.spool.memoryBytes,
    ),
    metric('spool_write_errors_total', 'Failed spool disk writes (retried)', 'counter', s.spool.writeErrors),
    metric('spool_torn_total', 'Torn or corrupt spool records skipped', 'counter', s.torn),
    metric(
      'ingest_rows_per_second',
      'Exchange rows stored per second, last minute',
      'gauge',
      s.insert.rowsPerSecond,
    ),
    metric('ingest_written_total', 'Exchange rows stored', 'counter', s.insert.written),
    metric('ingest_scored_total', 'Score rows stored', 'counter', s.insert.scored),
    metric('ingest_invalid_total', 'Rows dropped as invalid', 'counter', s.insert.invalid),
    metric(
      'ingest_dead_lettered_total',
      'Rows ClickHouse refused on their own, moved to the dead-letter file',
      'counter',
      s.insert.deadLettered,
    ),
    metric('ingest_errors_total', 'Failed ClickHouse inserts (retried)', 'counter', s.insert.errors),
    metric('ingest_last_success_timestamp_seconds', 'Last stored batch, unix time', 'gauge', lastSuccess),
    ...(s.gateway
      ? [
          metric('gateway_inflight', 'Calls being answered', 'gauge', s.gateway.inflight),
          metric(
            'gateway_records_simplified_total',
            'Records stored with the request kept as text (could not be built normally)',
            'counter',
            s.gateway.simplified,
          ),
        ]
      : []),
    ...(s.http
      ? [
          metric(
            'http_idle_unauthenticated',
            'Open connections with no request in flight that never authenticated',
            'gauge',
            s.http.idleUnauthenticated,
          ),
          metric(
            'http_idle_closed_total',
            'Idle unauthenticated connections closed over LEASH_MAX_IDLE_CONNECTIONS',
            'counter',
            s.http.idleClosed,
          ),
        ]
      : []),
  ].join('')
}

/** `GET /ingest/status` (JSON) and `GET /ingest/metrics` (Prometheus text); admins only. */
export function ingestRoutes(ctx: ApiContext) {
  const status = (role: string): IngestStatus => {
    if (role !== 'admin') throw new LeashError('forbidden', 'ingest status is for admins')
    if (!ctx.ingest) throw new LeashError('storage_unavailable', 'ingest is not running in this process')
    return ctx.ingest.status()
  }
  return new Hono<ApiEnv>()
    .get('/ingest/status', (c) => c.json(status(c.get('principal').role), 200))
    .get('/ingest/metrics', (c) =>
      c.text(prometheusText(status(c.get('principal').role)), 200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      }),
    )
}
