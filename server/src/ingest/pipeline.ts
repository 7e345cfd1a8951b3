import { ZodError } from 'zod'
import type { Logger } from '../log.ts'
import { scoreExchanges } from '../scoring/run.ts'
import type { ScoreRow, Scorer } from '../scoring/scorer.ts'
import type { ExchangeRecord, ExchangeSink } from './exchange.ts'

export interface PipelineDeps {
  writeExchanges(records: ExchangeRecord[]): Promise<void>
  writeScores(rows: ScoreRow[]): Promise<void>
  scorers: Scorer[]
  log: Logger
  batchSize?: number
  flushIntervalMs?: number
  /** Records held in memory while storage is failing; past it the oldest are dropped, loudly. */
  maxQueue?: number
}

export interface PipelineStats {
  queued: number
  written: number
  scored: number
  dropped: number
  /** Rows that failed validation and were dropped rather than retried. */
  invalid: number
  writeErrors: number
  lastError: string | null
}

export interface Pipeline extends ExchangeSink {
  /** Resolves once everything recorded before the call is written (or throws the storage error). */
  flush(): Promise<void>
  close(): Promise<void>
  stats(): PipelineStats
}

/**
 * Batches finished exchanges off the hot path: score, then write the response rows and the score rows.
 * A failed write keeps the batch and retries with backoff. The durable disk spool (issue "Ingest")
 * replaces this in-memory queue; the gateway-facing `record()` stays the same.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const batchSize = deps.batchSize ?? 1000
  const interval = deps.flushIntervalMs ?? 200
  const maxQueue = deps.maxQueue ?? 100_000
  let queue: ExchangeRecord[] = []
  let pendingScores: ScoreRow[] = []
  const stats: PipelineStats = {
    queued: 0,
    written: 0,
    scored: 0,
    dropped: 0,
    invalid: 0,
    writeErrors: 0,
    lastError: null,
  }
  let running: Promise<void> | null = null
  let backoffMs = 0
  let closed = false
  let timer: NodeJS.Timeout | null = null

  function schedule(delay: number): void {
    if (timer || closed) return
    timer = setTimeout(() => {
      timer = null
      void drain()
    }, delay)
    timer.unref()
  }

  /**
   * A row that fails validation is not retryable: retrying the batch would block ingest forever. So the
   * batch is written row by row and the invalid rows are dropped, counted and logged; storage errors
   * still throw and are retried.
   */
  async function writeValid<T>(kind: string, rows: T[], write: (rows: T[]) => Promise<void>): Promise<T[]> {
    try {
      await write(rows)
      return rows
    } catch (err) {
      if (!(err instanceof ZodError)) throw err
      const written: T[] = []
      for (const row of rows) {
        try {
          await write([row])
          written.push(row)
        } catch (rowErr) {
          if (!(rowErr instanceof ZodError)) throw rowErr
          stats.invalid++
          deps.log('error', `dropping an invalid ${kind} row`, {
            error: rowErr.issues[0]?.message ?? rowErr.message,
          })
        }
      }
      return written
    }
  }

  async function writeOnce(): Promise<void> {
    while (queue.length > 0 || pendingScores.length > 0) {
      if (queue.length > 0) {
        const batch = queue.slice(0, batchSize)
        const written = await writeValid('exchange', batch, deps.writeExchanges)
        queue = queue.slice(batch.length)
        stats.written += written.length
        pendingScores.push(...(await scoreExchanges(written, deps.scorers, deps.log)))
      }
      if (pendingScores.length > 0) {
        const rows = pendingScores
        await writeValid('score', rows, deps.writeScores)
        pendingScores = pendingScores.slice(rows.length)
        stats.scored += rows.length
      }
    }
  }

  function drain(): Promise<void> {
    if (running) return running
    running = writeOnce()
      .then(() => {
        backoffMs = 0
        stats.lastError = null
      })
      .catch((err: Error) => {
        stats.writeErrors++
        stats.lastError = err.message
        backoffMs = Math.min(backoffMs ? backoffMs * 2 : 500, 30_000)
        deps.log('error', 'writing exchanges to ClickHouse failed; will retry', {
          error: err.message,
          queued: queue.length,
          retryInMs: backoffMs,
        })
        throw err
      })
      .finally(() => {
        running = null
        stats.queued = queue.length
        if (queue.length > 0 || pendingScores.length > 0) schedule(backoffMs || interval)
      })
    return running
  }

  return {
    record(exchange) {
      queue.push(exchange)
      if (queue.length > maxQueue) {
        queue.shift()
        stats.dropped++
        if (stats.dropped % 1000 === 1)
          deps.log('error', 'ingest queue full: dropping oldest records', { dropped: stats.dropped })
      }
      stats.queued = queue.length
      schedule(queue.length >= batchSize ? 0 : interval)
    },
    async flush() {
      while (queue.length > 0 || pendingScores.length > 0 || running) await drain()
    },
    async close() {
      await this.flush().catch(() => {})
      closed = true
      if (timer) clearTimeout(timer)
    },
    stats: () => ({ ...stats, queued: queue.length }),
  }
}
