import type { ZodError } from 'zod'
import type { ScoreInsertInput } from '../db/clickhouse/queries/insert-scores.ts'
import type { ExchangeRecord, ExchangeSink } from '../exchange/record.ts'
import type { Logger } from '../log.ts'
import type { ScoreRow, Scorer } from '../scoring/scorer.ts'
import type { HealthWriter } from './health.ts'
import type { SpoolFullPolicy, SpoolStats, WriteFn } from './spool/index.ts'

/** Options the pipeline passes to every insert. */
export interface WriteOptions {
  /**
   * Same batch, same token: a retried or re-delivered insert is dropped by ClickHouse insert
   * deduplication (tables with a deduplication window; replicated tables always).
   */
  dedupToken?: string
  /** Rows that fail validation are reported here and skipped instead of failing the insert. */
  onInvalid?: (index: number, error: ZodError) => void
}

export type ExchangeWriter = (records: ExchangeRecord[], opts?: WriteOptions) => Promise<void>
export type ScoreWriter = (rows: ScoreInsertInput[], opts?: WriteOptions) => Promise<void>

export interface PipelineDeps {
  writeExchanges: ExchangeWriter
  writeScores: ScoreWriter
  /** Writes `ingest_health_v1` rows (drops per project) every `healthIntervalMs` and at close. */
  writeHealth?: HealthWriter
  /** Default 15,000 ms. */
  healthIntervalMs?: number
  /** Names this process in the health rows; default host:pid. */
  replica?: string
  /** Scorers run on every batch, unless `score` is given. */
  scorers?: Scorer[]
  /** Scores a written batch (e.g. per-project scorer sets); wins over `scorers`. */
  score?: (exchanges: readonly ExchangeRecord[]) => Promise<ScoreRow[]>
  log: Logger
  /** Folder of the durable spool, normally `<dataDir>/spool`. */
  spoolDir: string
  /** Retention (days) stamped on rows of a project; undefined = DEFAULT_RETENTION_DAYS (90). */
  retentionFor?: (projectId: string) => number | undefined
  /** Rows per ClickHouse insert; default 5,000. */
  batchSize?: number
  /** A smaller batch is sent once its oldest record waited this long; default 1,000 ms. */
  batchIntervalMs?: number
  spoolMaxBytes?: number
  spoolSegmentBytes?: number
  spoolSyncIntervalMs?: number
  spoolFullPolicy?: SpoolFullPolicy
  /** Records held in memory while the disk refuses writes; default 64 MiB. */
  spoolMemoryMaxBytes?: number
  /** The spool's disk write; tests inject a full disk (ENOSPC) here. */
  spoolWrite?: WriteFn
  /** How long `close()` keeps trying to deliver before leaving the rest on disk; default 10 s. */
  closeTimeoutMs?: number
  retryMinMs?: number
  retryMaxMs?: number
}

export interface PipelineStats {
  /** Records in the spool not yet stored in ClickHouse. */
  queued: number
  written: number
  scored: number
  /** Records dropped by the spool's full policy (new and oldest). */
  dropped: number
  /** Rows that failed validation and were dropped rather than retried. */
  invalid: number
  /** Rows ClickHouse refused on their own, twice, moved to `<spoolDir>/dead-letter.jsonl`. */
  deadLettered: number
  writeErrors: number
  lastError: string | null
}

/** `GET /api/ingest/status`. */
export interface IngestStatus {
  spool: Omit<SpoolStats, 'torn' | 'durable'>
  insert: {
    /** Exchange rows stored per second over the last minute. */
    rowsPerSecond: number
    written: number
    scored: number
    invalid: number
    /** Rows moved to the dead-letter file (`deadLetterFile`). */
    deadLettered: number
    deadLetterFile: string
    errors: number
    lastError: string | null
    lastSuccessAt: string | null
  }
  torn: number
  /** Filled in by the process that also runs the gateway. */
  gateway?: {
    inflight: number
    /** Records stored with the request kept as text because they could not be built normally. */
    simplified: number
  }
  /** Filled in by the process that listens for HTTP: the idle unauthenticated connection cap. */
  http?: { idleUnauthenticated: number; idleClosed: number }
}

export interface Pipeline extends ExchangeSink {
  /** Resolves once everything recorded before the call is in ClickHouse (rejects on a storage error). */
  flush(): Promise<void>
  /** Writes the ingest health rows now instead of at the next interval (no-op without `writeHealth`). */
  reportHealth(): Promise<void>
  /** Fsyncs the spool, delivers for at most `closeTimeoutMs`, leaves the rest on disk for the next start. */
  close(): Promise<void>
  stats(): PipelineStats
  status(): IngestStatus
}
