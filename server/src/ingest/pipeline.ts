import type { ScoreInsertInput } from '../db/clickhouse/queries/insert-scores.ts'
import { type ExchangeRecord, upgradeSpooledRecord } from '../exchange/record.ts'
import { scoreExchanges } from '../scoring/run.ts'
import { DeadLetter } from './dead-letter.ts'
import { type RetryPolicyDeps, storeRows } from './delivery.ts'
import { HealthReporter } from './health.ts'
import type { Pipeline, PipelineDeps } from './pipeline-types.ts'
import { sanitizeDeep } from './sanitize.ts'
import { comparePositions, Spool, type SpoolBatch } from './spool/index.ts'

export type {
  ExchangeWriter,
  IngestStatus,
  Pipeline,
  PipelineDeps,
  PipelineStats,
  ScoreWriter,
  WriteOptions,
} from './pipeline-types.ts'

interface FlushWaiter {
  target: number
  resolve: () => void
  reject: (err: Error) => void
}

/** Records handled per slice of a batch before the event loop gets a turn. */
const SLICE = 256
/** Exchanges scored per call of the scorers (the pool spreads each call over its threads). */
const SCORE_SLICE = 512
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

function waitAtMost(p: Promise<void>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined
  return Promise.race([p, new Promise<void>((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t))
}

/** Deterministic per batch: a replayed batch (same records) gets the same token. */
export function batchToken(records: readonly ExchangeRecord[]): string {
  const first = records[0]?.eventId ?? ''
  const last = records[records.length - 1]?.eventId ?? ''
  return `leash-${first}-${last}-${records.length}`
}

/**
 * The durable ingest path: `record()` appends to the spool (never blocks, never throws); a drain loop
 * reads batches (`batchSize` rows or `batchIntervalMs`), inserts the exchanges, scores them, inserts the
 * scores, and only then commits the spool offset. Storage errors are retried with backoff while the
 * spool grows; a crash re-delivers the uncommitted batch with the same deduplication token.
 */
export async function createPipeline(deps: PipelineDeps): Promise<Pipeline> {
  const { log } = deps
  const batchSize = deps.batchSize ?? 5_000
  const batchMs = deps.batchIntervalMs ?? 1_000
  const closeTimeoutMs = deps.closeTimeoutMs ?? 10_000
  const retryMin = deps.retryMinMs ?? 500
  const retryMax = deps.retryMaxMs ?? 5_000
  const spool = await Spool.open<ExchangeRecord>({
    dir: deps.spoolDir,
    log,
    maxBytes: deps.spoolMaxBytes,
    segmentBytes: deps.spoolSegmentBytes,
    syncIntervalMs: deps.spoolSyncIntervalMs,
    fullPolicy: deps.spoolFullPolicy,
    memoryMaxBytes: deps.spoolMemoryMaxBytes,
    ...(deps.spoolWrite ? { write: deps.spoolWrite } : {}),
    timeOf: (r) => (typeof r.time === 'number' ? r.time : undefined),
  })
  const health = deps.writeHealth
    ? new HealthReporter({
        write: deps.writeHealth,
        spool: () => spool.stats(),
        log,
        intervalMs: deps.healthIntervalMs,
        replica: deps.replica,
      })
    : null
  health?.start()
  const recovered = spool.progress().appended
  if (recovered > 0)
    log('info', 'spool: re-delivering records left from the last run', { records: recovered })

  const counters = { written: 0, scored: 0, invalid: 0, errors: 0 }
  let lastError: string | null = null
  let lastSuccessAt: number | null = null
  const rate: Array<{ at: number; rows: number }> = []
  const startedAt = Date.now()
  let flushWaiters: FlushWaiter[] = []
  let urgent = 0
  let stopping = false
  let deadline = Number.POSITIVE_INFINITY
  let wake: (() => void) | null = null
  let waitingSince = 0
  let stalled = false
  let loopError: Error | null = null
  let sleepingForRetry = false

  /** Wakes an idle wait; a retry backoff is only cut short by `close()`, so an outage is not hammered. */
  function kick(force = false): void {
    if (sleepingForRetry && !force) return
    const w = wake
    wake = null
    w?.()
  }
  spool.onSync(() => {
    if (spool.unread() >= batchSize || urgent > 0 || stopping) kick()
  })

  function sleep(ms: number, retry = false): Promise<void> {
    sleepingForRetry = retry
    return new Promise((resolve) => {
      const t = setTimeout(
        () => {
          wake = null
          resolve()
        },
        Math.max(0, ms),
      )
      wake = () => {
        clearTimeout(t)
        resolve()
      }
    })
  }

  function settleWaiters(): void {
    if (flushWaiters.length === 0) return
    const { done } = spool.progress()
    const ready = flushWaiters.filter((w) => w.target <= done)
    flushWaiters = flushWaiters.filter((w) => w.target > done)
    for (const w of ready) w.resolve()
  }

  function failWaiters(err: Error): void {
    const waiters = flushWaiters
    flushWaiters = []
    for (const w of waiters) w.reject(err)
  }

  const deadLetter = new DeadLetter(deps.spoolDir)
  // Event ids dead-lettered while the current batch was stored: they get no scores.
  const deadLetterIds: string[] = []
  const policy: RetryPolicyDeps = {
    log,
    retryMinMs: retryMin,
    retryMaxMs: retryMax,
    deadline: () => deadline,
    sleep: async (ms) => {
      await sleep(ms, true)
      sleepingForRetry = false
    },
    onError(what, e, backoff) {
      counters.errors++
      lastError = `${what}: ${e.message}`
      if (counters.errors === 1 || counters.errors % 20 === 0 || backoff >= retryMax)
        log('error', `ingest: ${what} failed; the spool keeps the records and retries`, {
          error: e.message,
          errors: counters.errors,
          spooled: spool.stats().records,
          retryInMs: backoff,
        })
      failWaiters(e)
    },
    onPoison(what, row, e) {
      const kind = what === 'inserting scores' ? 'score' : 'exchange'
      const kept = deadLetter.put(kind, row, e.message)
      if (kind === 'exchange') {
        deadLetterIds.push(String((row as { eventId?: string }).eventId))
        health?.count(String((row as { projectId?: string }).projectId ?? ''), 'deadLettered')
      }
      log('error', 'ingest: a row ClickHouse refused twice on its own moved to the dead-letter file', {
        kind,
        eventId: (row as { eventId?: string }).eventId,
        error: e.message,
        file: kept ? deadLetter.file : 'NOT WRITTEN (the dead-letter file could not be written)',
        deadLettered: deadLetter.count,
      })
    },
  }

  async function deliver(batch: SpoolBatch<ExchangeRecord>): Promise<boolean> {
    const records = batch.records
    if (records.length === 0) return true
    for (let i = 0; i < records.length; i++) {
      if (i > 0 && i % SLICE === 0) await turn()
      const r = records[i] as ExchangeRecord
      upgradeSpooledRecord(r)
      if (r.retentionDays === undefined) r.retentionDays = deps.retentionFor?.(r.projectId)
      // Text ClickHouse cannot take (lone surrogates) is made well-formed here, at the store's door.
      sanitizeDeep(r)
    }
    const token = batchToken(records)
    await spool.markInflight(batch)
    const invalid = new Set<number>()
    deadLetterIds.length = 0
    const ok = await storeRows(policy, 'inserting exchanges', records, async (part, start) => {
      for (let i = start; i < start + part.length; i++) invalid.delete(i)
      await deps.writeExchanges(part, {
        // The whole batch keeps its token; a part's token names its place, the same on a replay.
        dedupToken: part.length === records.length ? token : `${token}-p${start}-${part.length}`,
        onInvalid: (i, error) => {
          invalid.add(start + i)
          log('error', 'dropping an invalid exchange row', {
            eventId: part[i]?.eventId,
            error: error.issues[0]?.message ?? error.message,
          })
        },
      })
    })
    if (!ok) return false
    counters.invalid += invalid.size
    for (const i of invalid) health?.count(records[i]?.projectId ?? '', 'invalid')
    const dead = new Set(deadLetterIds)
    const written = records.filter((r, i) => !invalid.has(i) && !dead.has(r.eventId))
    counters.written += written.length
    rate.push({ at: Date.now(), rows: written.length })
    const byEvent = new Map(written.map((r) => [r.eventId, r]))
    // Scored a slice at a time: building the inputs, sending them to the scorer threads and taking the
    // rows back are main-thread work proportional to the slice, not to the batch.
    const scores: ScoreInsertInput[] = []
    for (let i = 0; i < written.length; i += SCORE_SLICE) {
      const part = i === 0 && written.length <= SCORE_SLICE ? written : written.slice(i, i + SCORE_SLICE)
      const rows = await (deps.score ? deps.score(part) : scoreExchanges(part, deps.scorers ?? [], log))
      for (const r of rows) scores.push(r)
    }
    // The exchange's slicing dimensions are set on the score rows in place (no copy per row), in slices.
    for (let i = 0; i < scores.length; i++) {
      if (i > 0 && i % (SLICE * 8) === 0) await turn()
      const s = scores[i] as ScoreInsertInput
      const r = byEvent.get(s.eventId)
      if (r) {
        s.model = r.model
        s.route = r.route
        s.upstream = r.upstream
        s.retentionDays = r.retentionDays
        s.feature = r.tags.feature
        s.policyVersion = r.tags.policyVersion
      }
      sanitizeDeep(s)
    }
    let badScores = 0
    const scoresOk = await storeRows(policy, 'inserting scores', scores, async (part, start) => {
      await deps.writeScores(part, {
        dedupToken:
          part.length === scores.length ? `${token}-scores` : `${token}-scores-p${start}-${part.length}`,
        onInvalid: (i, error) => {
          badScores++
          log('error', 'dropping an invalid score row', {
            name: part[i]?.name,
            error: error.issues[0]?.message ?? error.message,
          })
        },
      })
    })
    if (!scoresOk) return false
    counters.invalid += badScores
    counters.scored += scores.length - badScores
    lastSuccessAt = Date.now()
    return true
  }

  /**
   * One batch of up to `max` records, read (and JSON-decoded) `SLICE * 2` at a time with the event loop
   * free in between; consecutive reads are one batch (from the first `from` to the last `to`). Only this
   * loop moves the read position, so nothing reads in between.
   */
  async function readSliced(max: number): Promise<SpoolBatch<ExchangeRecord>> {
    // A replayed batch (left in flight by a crash) ends where it ended before: every slice keeps the bound.
    const until = spool.replayUntil()
    const batch = spool.read(Math.min(max, SLICE * 2), until)
    while (batch.records.length < max) {
      await turn()
      const more = spool.read(Math.min(max - batch.records.length, SLICE * 2), until)
      if (more.records.length === 0 && more.skipped === 0 && comparePositions(more.to, more.from) === 0) break
      for (const r of more.records) batch.records.push(r)
      batch.to = more.to
      batch.bytes += more.bytes
      batch.skipped += more.skipped
    }
    return batch
  }

  async function loop(): Promise<void> {
    for (;;) {
      if (stopping && (Date.now() >= deadline || spool.unread() === 0)) return
      const unread = spool.unread()
      if (unread > 0 && waitingSince === 0) waitingSince = Date.now()
      const due = waitingSince > 0 && Date.now() - waitingSince >= batchMs
      if (spool.replayUntil() || unread >= batchSize || (unread > 0 && (due || urgent > 0 || stopping))) {
        waitingSince = 0
        const batch = await readSliced(batchSize)
        if (
          batch.records.length === 0 &&
          batch.skipped === 0 &&
          comparePositions(batch.to, batch.from) === 0
        ) {
          // Counted as unread but nothing to read: never spin; say so once.
          if (unread > 0) {
            if (!stalled) log('error', 'ingest: the spool reports unread records it cannot read', { unread })
            stalled = true
            await sleep(batchMs)
          }
          continue
        }
        if (!(await deliver(batch))) return
        await spool.commit(batch)
        settleWaiters()
        continue
      }
      settleWaiters()
      if (stopping) return
      await sleep(unread > 0 ? batchMs - (Date.now() - waitingSince) : batchMs)
    }
  }

  const running = loop().catch((err: Error) => {
    // Only a broken spool folder gets here (e.g. the disk went read-only); records stay on disk.
    loopError = err
    lastError = `ingest loop stopped: ${err.message}`
    log('error', 'ingest: the drain loop stopped; records stay in the spool until restart', {
      error: err.message,
    })
    failWaiters(err)
  })

  function rowsPerSecond(): number {
    const now = Date.now()
    while (rate.length > 0 && (rate[0] as { at: number }).at < now - 60_000) rate.shift()
    const window = Math.min(60, Math.max(1, (now - startedAt) / 1000))
    return rate.reduce((n, r) => n + r.rows, 0) / window
  }

  let closed: Promise<void> | null = null
  return {
    record(exchange) {
      if (!spool.append(exchange)) health?.count(exchange.projectId, 'spool')
    },
    async reportHealth() {
      await health?.report()
    },
    async flush() {
      if (loopError) throw loopError
      await spool.flushed()
      const target = spool.progress().appended
      if (spool.progress().done >= target) return
      urgent++
      try {
        kick()
        await new Promise<void>((resolve, reject) => flushWaiters.push({ target, resolve, reject }))
      } finally {
        urgent--
      }
    },
    close() {
      closed ??= (async () => {
        await waitAtMost(spool.flushed(), closeTimeoutMs)
        deadline = Date.now() + closeTimeoutMs
        stopping = true
        kick(true)
        // An insert that hangs (a server not answering) must not hold the shutdown: the spool is fsynced.
        await waitAtMost(running, closeTimeoutMs + 1_000)
        const left = spool.stats().records
        if (left > 0)
          log('warn', 'ingest: closing with records still in the spool; they are sent on the next start', {
            records: left,
          })
        failWaiters(new Error('pipeline closed'))
        await spool.close()
        // After the spool closed, so records lost at close are in the last report (bounded by its timeout).
        if (health) await waitAtMost(health.stop(), closeTimeoutMs)
      })()
      return closed
    },
    stats() {
      const s = spool.stats()
      return {
        queued: s.records,
        written: counters.written,
        scored: counters.scored,
        dropped: s.droppedNew + s.droppedOld,
        invalid: counters.invalid,
        deadLettered: deadLetter.count,
        writeErrors: counters.errors,
        lastError,
      }
    },
    status() {
      const { torn, durable: _durable, ...s } = spool.stats()
      return {
        spool: s,
        insert: {
          rowsPerSecond: Math.round(rowsPerSecond() * 10) / 10,
          written: counters.written,
          scored: counters.scored,
          invalid: counters.invalid,
          deadLettered: deadLetter.count,
          deadLetterFile: deadLetter.file,
          errors: counters.errors,
          lastError,
          lastSuccessAt: lastSuccessAt === null ? null : new Date(lastSuccessAt).toISOString(),
        },
        torn,
      }
    },
  }
}
