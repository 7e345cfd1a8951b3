import fsp from 'node:fs/promises'
import type { Logger } from '../../log.ts'
import { encodeFrame } from './format.ts'
import { readBatch, type SpoolBatch } from './reader.ts'
import { recover } from './recovery.ts'
import {
  comparePositions,
  type SpoolFullPolicy,
  type SpoolPosition,
  type SpoolState,
  segmentFile,
  writeFileAtomic,
} from './state.ts'
import { checkNearFull, makeRoom, markFull, type SpoolStats, statsOf } from './stats.ts'
import { SpoolWriter, type WriteFn } from './writer.ts'

export interface SpoolOptions<T> {
  /** Folder of the segment files, e.g. `<dataDir>/spool`. */
  dir: string
  log: Logger
  /** Cap on uncommitted bytes (disk and not yet written); default 2 GiB. */
  maxBytes?: number
  /** A segment is sealed and a new one started past this size; default 64 MiB. */
  segmentBytes?: number
  /** Group-commit window: written records are fsynced at most this long after; default 50. */
  syncIntervalMs?: number
  /** What to do with a record that does not fit (size cap, or a full disk); default drop_new. */
  fullPolicy?: SpoolFullPolicy
  /** Records held in memory while the disk refuses writes; default 64 MiB. */
  memoryMaxBytes?: number
  /** Event time of a record, for the age of the oldest record after a restart. */
  timeOf?: (record: T) => number | undefined
  /** Replaces `fs.writeSync` (tests inject disk faults). */
  write?: WriteFn
}

const DROP_LOG_EVERY = 1_000

/**
 * A durable, append-only local log of records (the ingest spool).
 *
 * - `append()` never blocks for long and never throws: it `write(2)`s the record into the active
 *   segment at once (so a killed process loses nothing it appended) and fsyncs the group at most
 *   `syncIntervalMs` later; `flushed()` and `onSync` report durability. A disk that refuses writes
 *   keeps records in memory up to `memoryMaxBytes`, then the full policy applies, loudly.
 * - `read()` hands out durable records in order; `commit()` advances the committed offset (atomic file)
 *   and deletes segments entirely behind it. What is read but not committed is read again after a restart.
 * - On open every segment from the committed offset is checked frame by frame; a torn or corrupt tail
 *   is logged once with its segment and offset and cut off. Writing resumes in a new segment.
 */
export class Spool<T> {
  readonly dir: string
  readonly policy: SpoolFullPolicy
  private readonly s: SpoolState<T>
  private readonly writer: SpoolWriter<T>
  private closed = false

  private constructor(opts: SpoolOptions<T>) {
    this.dir = opts.dir
    this.policy = opts.fullPolicy ?? 'drop_new'
    this.s = {
      dir: opts.dir,
      log: opts.log,
      maxBytes: opts.maxBytes ?? 2 * 1024 ** 3,
      segmentBytes: opts.segmentBytes ?? 64 * 1024 ** 2,
      policy: this.policy,
      timeOf: opts.timeOf ?? (() => undefined),
      segments: [],
      active: { id: 0, size: 0, records: 0, start: 0, written: 0, writtenRecords: 0 },
      committed: { segment: 0, offset: 0 },
      readPos: { segment: 0, offset: 0 },
      readSegRecords: 0,
      replayTo: null,
      marks: [],
      n: {
        appended: 0,
        appendedBytes: 0,
        durable: 0,
        read: 0,
        done: 0,
        doneBytes: 0,
        droppedNew: 0,
        droppedOld: 0,
        droppedDiskFull: 0,
        torn: 0,
        writeErrors: 0,
      },
      nearFull: false,
      full: false,
      diskFull: false,
    }
    const nextId = recover(this.s)
    this.writer = new SpoolWriter(
      this.s,
      {
        syncIntervalMs: opts.syncIntervalMs ?? 50,
        memoryMaxBytes: opts.memoryMaxBytes ?? 64 * 1024 ** 2,
        write: opts.write,
      },
      nextId,
    )
  }

  /** Opens (or creates) the spool folder, recovers what is uncommitted and starts a fresh segment. */
  static async open<T>(opts: SpoolOptions<T>): Promise<Spool<T>> {
    return new Spool<T>(opts)
  }

  /**
   * Writes one record into the spool file. Never throws; returns false when the record was not accepted
   * (spool or disk full under drop_new, unencodable, or closed), each such drop counted and logged.
   */
  append(record: T): boolean {
    const s = this.s
    if (this.closed) {
      s.n.droppedNew++
      return false
    }
    let frame: Buffer
    try {
      frame = encodeFrame(JSON.stringify(record))
    } catch (err) {
      s.n.droppedNew++
      s.log('error', 'spool: record could not be encoded; dropped', { error: (err as Error).message })
      return false
    }
    if (!makeRoom(s, frame.length)) return false
    if (!this.writer.accept(frame)) {
      s.n.droppedNew++
      s.n.droppedDiskFull++
      markFull(s, 'drop_new', 'the disk is full and the records held in memory reached their cap')
      if (s.n.droppedDiskFull % DROP_LOG_EVERY === 1)
        s.log('error', 'spool: disk full; dropping new records', { dropped: s.n.droppedDiskFull })
      return false
    }
    s.n.appended++
    s.n.appendedBytes += frame.length
    checkNearFull(s)
    return true
  }

  /** Resolves once every record appended before the call is fsynced. */
  flushed(): Promise<void> {
    return this.writer.flushed(this.s.n.appended)
  }

  /** Counters since open: accepted, fsynced, and finished (committed or dropped as oldest). */
  progress(): { appended: number; durable: number; done: number } {
    return { appended: this.s.n.appended, durable: this.s.n.durable, done: this.s.n.done }
  }

  /** Called after every fsync with the number of records durable since open. */
  onSync(listener: (durable: number) => void): void {
    this.writer.onSync(listener)
  }

  /** Durable records not yet handed out by `read()`. */
  unread(): number {
    return this.s.n.durable - this.s.n.read
  }

  /**
   * After a restart, the end of the batch that was in flight when the process stopped: reading exactly
   * up to it again gives the same batch (and the same insert deduplication token).
   */
  replayUntil(): SpoolPosition | null {
    return this.s.replayTo
  }

  read(max: number, until: SpoolPosition | null = this.s.replayTo): SpoolBatch<T> {
    if (until) this.s.replayTo = null
    return readBatch(this.s, max, until)
  }

  /**
   * Marks a batch as stored: advances the committed offset (atomic file) and then deletes the segments
   * entirely behind it. Counters change at once; the promise is the file work.
   */
  async commit(batch: SpoolBatch<T>): Promise<void> {
    const s = this.s
    s.n.done += batch.records.length + batch.skipped
    s.n.doneBytes += batch.bytes
    if (comparePositions(batch.to, s.committed) > 0) s.committed = { ...batch.to }
    // The end of a sealed segment is the start of the next one.
    for (;;) {
      const seg = s.segments.find((x) => x.id === s.committed.segment)
      const next = s.segments.find((x) => x.id > s.committed.segment)
      if (!seg || seg === s.active || s.committed.offset < seg.size || !next) break
      s.committed = { segment: next.id, offset: 0 }
    }
    const committed = { ...s.committed }
    const finished = s.segments.filter((x) => x.id < committed.segment && x !== s.active)
    s.segments = s.segments.filter((x) => !finished.includes(x))
    s.marks = s.marks.filter((m) => comparePositions(m.end, committed) > 0)
    checkNearFull(s)
    await writeFileAtomic(s.dir, 'committed', committed)
    await Promise.all(finished.map((x) => fsp.rm(segmentFile(s.dir, x.id), { force: true })))
  }

  /** Remembers the batch being stored, so a restart re-reads exactly the same batch first. */
  markInflight(batch: SpoolBatch<T>): Promise<void> {
    return writeFileAtomic(this.dir, 'inflight', { from: batch.from, to: batch.to })
  }

  stats(): SpoolStats {
    return statsOf(this.s, this.writer.memoryBytes())
  }

  /** Writes what waits in memory (one last try), fsyncs, and closes the files. */
  async close(_timeoutMs = 5_000): Promise<void> {
    if (this.closed) return
    this.closed = true
    const lost = await this.writer.close()
    if (lost > 0) {
      const s = this.s
      s.n.droppedNew += lost
      s.n.droppedDiskFull += lost
      s.n.done += lost
      s.log('error', 'spool: records that waited in memory could not be written at close and are lost', {
        records: lost,
        dir: s.dir,
      })
    }
  }
}
