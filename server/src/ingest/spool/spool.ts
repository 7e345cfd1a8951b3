import fs from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../../log.ts'
import { checkFrame, encodeFrame } from './format.ts'

export type SpoolFullPolicy = 'drop_new' | 'drop_oldest'

export interface SpoolOptions<T> {
  /** Folder of the segment files, e.g. `<dataDir>/spool`. */
  dir: string
  log: Logger
  /** Cap on uncommitted bytes (disk and not yet written); default 2 GiB. */
  maxBytes?: number
  /** A segment is sealed and a new one started past this size; default 64 MiB. */
  segmentBytes?: number
  /** Group-commit window: appended records are written and fsynced at most this long after; default 50. */
  syncIntervalMs?: number
  /** What to do with a record that does not fit under `maxBytes`; default drop_new. */
  fullPolicy?: SpoolFullPolicy
  /** Event time of a record, for the age of the oldest record after a restart. */
  timeOf?: (record: T) => number | undefined
}

/** A place in the spool: byte offset inside a segment file. */
export interface SpoolPosition {
  segment: number
  offset: number
}

/** Records read from the spool: `[from, to)`. Give it back to `commit` once it is safely stored. */
export interface SpoolBatch<T> {
  records: T[]
  from: SpoolPosition
  to: SpoolPosition
  /** Bytes of the frames read. */
  bytes: number
  /** Records consumed but not returned (corrupt or unreadable); they are committed with the batch. */
  skipped: number
}

export interface SpoolStats {
  /** Records appended and not yet committed (in memory, on disk or in flight). */
  records: number
  bytes: number
  oldestAgeMs: number
  segments: number
  maxBytes: number
  nearFull: boolean
  full: boolean
  policy: SpoolFullPolicy
  droppedNew: number
  droppedOld: number
  /** Torn or corrupt records found (at open or on read) and skipped. */
  torn: number
  /** Records fsynced since open (recovered records included). */
  durable: number
  writeErrors: number
}

interface Segment {
  id: number
  /** Bytes written and fsynced. */
  size: number
  /** Records in [start, size). */
  records: number
  /** First byte holding an uncommitted record when the spool was opened (0 for later segments). */
  start: number
}

interface Mark {
  end: SpoolPosition
  at: number
}

const SEGMENT_FILE = /^(\d{12})\.seg$/
const READ_CHUNK = 8 * 1024 * 1024
const NEAR_FULL = 0.8

export function comparePositions(a: SpoolPosition, b: SpoolPosition): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset
}

function segmentName(id: number): string {
  return `${String(id).padStart(12, '0')}.seg`
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await fsp.open(dir, 'r')
  try {
    await dh.sync()
  } finally {
    await dh.close()
  }
}

/**
 * Replaces a small JSON file atomically against a crash of the process (temp file + rename). Not
 * fsynced: after a power loss a stale or empty offset file only means re-delivery, which deduplicates.
 */
async function writeFileAtomic(dir: string, name: string, value: unknown): Promise<void> {
  const tmp = path.join(dir, `${name}.tmp`)
  await fsp.writeFile(tmp, JSON.stringify(value))
  await fsp.rename(tmp, path.join(dir, name))
}

const PositionJson = (v: unknown): SpoolPosition | null => {
  if (!v || typeof v !== 'object') return null
  const { segment, offset } = v as Record<string, unknown>
  if (!Number.isSafeInteger(segment) || !Number.isSafeInteger(offset)) return null
  if ((segment as number) < 0 || (offset as number) < 0) return null
  return { segment: segment as number, offset: offset as number }
}

function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

/**
 * A durable, append-only local log of records (the ingest spool).
 *
 * - `append()` never blocks and never throws: it encodes the record into memory; a timer writes and
 *   fsyncs the group at most `syncIntervalMs` later (group commit). A record is acknowledged (durable)
 *   once its fsync completes: `flushed()` and `onSync` report that.
 * - `read()` hands out durable records in order; `commit()` advances the committed offset (atomic file)
 *   and deletes segments entirely behind it. What is read but not committed is read again after a restart.
 * - On open every segment from the committed offset is checked frame by frame; a torn or corrupt tail
 *   is logged once with its segment and offset and cut off. Writing resumes in a new segment.
 */
export class Spool<T> {
  readonly dir: string
  private readonly log: Logger
  private readonly maxBytes: number
  private readonly segmentBytes: number
  private readonly syncIntervalMs: number
  readonly policy: SpoolFullPolicy
  private readonly timeOf: (record: T) => number | undefined

  private segments: Segment[] = []
  private active!: Segment
  private activeFh: FileHandle | null = null
  private committed: SpoolPosition = { segment: 0, offset: 0 }
  private readPos: SpoolPosition = { segment: 0, offset: 0 }
  private readSegRecords = 0
  private replayTo: SpoolPosition | null = null
  private marks: Mark[] = []

  private pending: Buffer[] = []
  private pendingBytes = 0
  private pendingFirstAt = 0
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> | null = null
  private retryMs = 0
  private closed = false
  private waiters: Array<{ target: number; resolve: () => void }> = []
  private syncListeners: Array<(durable: number) => void> = []

  private appended = 0
  private appendedBytes = 0
  private durable = 0
  private read_ = 0
  private done = 0
  private doneBytes = 0
  private droppedNew = 0
  private droppedOld = 0
  private torn = 0
  private writeErrors = 0
  private nearFull = false
  private full = false

  private constructor(opts: SpoolOptions<T>) {
    this.dir = opts.dir
    this.log = opts.log
    this.maxBytes = opts.maxBytes ?? 2 * 1024 ** 3
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 ** 2
    this.syncIntervalMs = opts.syncIntervalMs ?? 50
    this.policy = opts.fullPolicy ?? 'drop_new'
    this.timeOf = opts.timeOf ?? (() => undefined)
  }

  /** Opens (or creates) the spool folder, recovers what is uncommitted and starts a fresh segment. */
  static async open<T>(opts: SpoolOptions<T>): Promise<Spool<T>> {
    const spool = new Spool<T>(opts)
    await spool.recover()
    return spool
  }

  private file(id: number): string {
    return path.join(this.dir, segmentName(id))
  }

  private async recover(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true })
    const committed = PositionJson(readJsonFile(path.join(this.dir, 'committed')))
    if (fs.existsSync(path.join(this.dir, 'committed')) && !committed)
      this.log(
        'error',
        'spool: unreadable committed offset; re-delivering every segment (duplicates collapse)',
      )
    this.committed = committed ?? { segment: 0, offset: 0 }
    const ids = fs
      .readdirSync(this.dir)
      .map((f) => SEGMENT_FILE.exec(f)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
    for (const id of ids) {
      if (id < this.committed.segment) {
        fs.rmSync(this.file(id), { force: true })
        continue
      }
      const start = id === this.committed.segment ? this.committed.offset : 0
      const seg = this.scanSegment(id, start)
      // Nothing uncommitted left in it (e.g. a segment opened by a run that then saw no traffic).
      if (seg && seg.records === 0) fs.rmSync(this.file(id), { force: true })
      else if (seg) this.segments.push(seg)
    }
    const inflight = readJsonFile(path.join(this.dir, 'inflight')) as { to?: unknown } | undefined
    const replayTo = PositionJson(inflight?.to)
    if (replayTo && comparePositions(replayTo, this.committed) > 0) this.replayTo = replayTo
    const first = this.segments[0]
    this.readPos = first ? { segment: first.id, offset: first.start } : { ...this.committed }
    const nextId = Math.max(this.committed.segment, ...ids, 0) + 1
    this.activeFh = await this.createSegment(nextId)
  }

  /** Validates one segment from `start`; cuts off a torn or corrupt tail with one log line. */
  private scanSegment(id: number, start: number): Segment | null {
    const file = this.file(id)
    const size = fs.statSync(file).size
    if (start > size) {
      this.log('error', 'spool: committed offset is past the end of its segment; skipping it', {
        segment: id,
        offset: start,
        size,
      })
      return null
    }
    const fd = fs.openSync(file, 'r+')
    let offset = start
    let records = 0
    let firstTime: number | undefined
    try {
      let buf = Buffer.alloc(0)
      let bufStart = start
      for (;;) {
        const at = offset - bufStart
        const check = checkFrame(buf, at)
        if (check.kind === 'ok') {
          if (records === 0) firstTime = this.safeTime(buf, check.payloadStart, check.end)
          records++
          offset = bufStart + check.end
          continue
        }
        if (check.kind === 'short' && offset + check.need <= size) {
          const len = Math.min(size - offset, Math.max(READ_CHUNK, check.need))
          buf = Buffer.allocUnsafe(len)
          fs.readSync(fd, buf, 0, len, offset)
          bufStart = offset
          continue
        }
        if (offset < size) {
          const reason = check.kind === 'bad' ? check.reason : 'short record'
          this.torn++
          this.log('warn', `spool: torn record in segment ${id} at offset ${offset} (${reason}); skipped`, {
            segment: id,
            offset,
            bytesSkipped: size - offset,
          })
          fs.ftruncateSync(fd, offset)
          fs.fsyncSync(fd)
        }
        break
      }
    } finally {
      fs.closeSync(fd)
    }
    this.appended += records
    this.durable += records
    this.appendedBytes += offset - start
    if (records > 0) this.marks.push({ end: { segment: id, offset }, at: firstTime ?? Date.now() })
    return { id, size: offset, records, start }
  }

  private safeTime(buf: Buffer, start: number, end: number): number | undefined {
    try {
      return this.timeOf(JSON.parse(buf.toString('utf8', start, end)) as T)
    } catch {
      return undefined
    }
  }

  private async createSegment(id: number): Promise<FileHandle> {
    const fh = await fsp.open(this.file(id), 'wx')
    await fsyncDir(this.dir)
    this.active = { id, size: 0, records: 0, start: 0 }
    this.segments.push(this.active)
    return fh
  }

  // ---- writing -------------------------------------------------------------------------------------

  /**
   * Queues one record for the next group commit. Never throws and never waits; returns false when the
   * record was not accepted (spool full under drop_new, or closed).
   */
  append(record: T): boolean {
    if (this.closed) {
      this.droppedNew++
      return false
    }
    let frame: Buffer
    try {
      frame = encodeFrame(JSON.stringify(record))
    } catch (err) {
      this.droppedNew++
      this.log('error', 'spool: record could not be encoded; dropped', { error: (err as Error).message })
      return false
    }
    if (!this.makeRoom(frame.length)) return false
    if (this.pending.length === 0) this.pendingFirstAt = Date.now()
    this.pending.push(frame)
    this.pendingBytes += frame.length
    this.appended++
    this.appendedBytes += frame.length
    this.checkNearFull()
    this.schedule(this.pendingBytes >= 16 * 1024 * 1024 ? 0 : this.syncIntervalMs)
    return true
  }

  private uncommittedBytes(): number {
    return this.appendedBytes - this.doneBytes
  }

  private makeRoom(bytes: number): boolean {
    while (this.uncommittedBytes() + bytes > this.maxBytes) {
      if (this.policy === 'drop_oldest' && this.dropOldestSegment()) continue
      this.droppedNew++
      this.markFull('drop_new')
      return false
    }
    return true
  }

  private markFull(what: string): void {
    if (this.full) return
    this.full = true
    this.log('error', `spool FULL: ${what} (LEASH_SPOOL_MAX_BYTES reached; ClickHouse is not keeping up)`, {
      maxBytes: this.maxBytes,
      policy: this.policy,
      dir: this.dir,
    })
  }

  private checkNearFull(): void {
    const used = this.uncommittedBytes()
    if (!this.nearFull && used >= this.maxBytes * NEAR_FULL) {
      this.nearFull = true
      this.log('error', 'spool NEAR FULL: over 80% of LEASH_SPOOL_MAX_BYTES is waiting for ClickHouse', {
        bytes: used,
        maxBytes: this.maxBytes,
        policy: this.policy,
      })
    } else if (this.nearFull && used < this.maxBytes * 0.7) {
      this.nearFull = false
      this.full = false
      this.log('info', 'spool back below 70% of its size cap', { bytes: used, maxBytes: this.maxBytes })
    }
  }

  /** Drops the oldest unread sealed segment (drop_oldest); false when there is none to drop. */
  private dropOldestSegment(): boolean {
    const seg = this.segments.find((s) => s !== this.active && s.id >= this.readPos.segment)
    if (!seg) return false
    const inSeg = this.readPos.segment === seg.id
    const from = inSeg ? Math.max(seg.start, this.readPos.offset) : seg.start
    const records = seg.records - (inSeg ? this.readSegRecords : 0)
    this.droppedOld += records
    this.read_ += records
    this.done += records
    this.doneBytes += seg.size - from
    this.markFull('dropping the oldest records')
    this.log('warn', 'spool full: dropped the oldest unsent segment', { segment: seg.id, records })
    const next = this.segments.find((s) => s.id > seg.id) ?? this.active
    this.readPos = { segment: next.id, offset: next.start }
    this.readSegRecords = 0
    if (this.replayTo && this.replayTo.segment <= seg.id) this.replayTo = null
    // Deleting the file is the only I/O and must not block the caller; nothing reads this segment again
    // (a batch already read from it is in memory and commits normally).
    this.segments = this.segments.filter((s) => s !== seg)
    this.marks = this.marks.filter((m) => m.end.segment !== seg.id)
    fsp.rm(this.file(seg.id), { force: true }).catch((err: Error) => {
      this.log('error', 'spool: could not delete a dropped segment', { segment: seg.id, error: err.message })
    })
    return true
  }

  private schedule(delay: number): void {
    if (this.writing || !this.activeFh) return
    if (this.timer) {
      if (delay > 0) return
      clearTimeout(this.timer)
    }
    this.timer = setTimeout(() => {
      this.timer = null
      this.writing = this.writeGroup().finally(() => {
        this.writing = null
        if (this.pending.length > 0) this.schedule(this.retryMs || this.syncIntervalMs)
      })
    }, delay)
  }

  private async writeGroup(): Promise<void> {
    const frames = this.pending
    const firstAt = this.pendingFirstAt
    this.pending = []
    this.pendingBytes = 0
    let i = 0
    try {
      while (i < frames.length) {
        const room = this.segmentBytes - this.active.size
        let bytes = 0
        let j = i
        while (j < frames.length) {
          const len = (frames[j] as Buffer).length
          if (bytes + len > room && (bytes > 0 || this.active.size > 0)) break
          bytes += len
          j++
        }
        if (j === i) {
          await this.rotate()
          continue
        }
        await this.writeChunk(frames.slice(i, j), bytes, firstAt)
        i = j
      }
      this.retryMs = 0
    } catch (err) {
      this.writeErrors++
      this.retryMs = Math.min(this.retryMs ? this.retryMs * 2 : 200, 5_000)
      const rest = frames.slice(i)
      this.pending = [...rest, ...this.pending]
      this.pendingBytes = this.pending.reduce((n, f) => n + f.length, 0)
      this.pendingFirstAt = firstAt
      this.log('error', 'spool: writing to disk failed; records stay in memory and will be retried', {
        error: (err as Error).message,
        records: this.pending.length,
        retryInMs: this.retryMs,
      })
      await this.activeFh?.truncate(this.active.size).catch(() => {})
    }
  }

  private async writeChunk(frames: Buffer[], bytes: number, firstAt: number): Promise<void> {
    const fh = this.activeFh
    if (!fh) throw new Error('spool is closed')
    const data = frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames, bytes)
    let written = 0
    while (written < data.length) {
      const r = await fh.write(data, written, data.length - written, this.active.size + written)
      written += r.bytesWritten
    }
    await fh.datasync()
    this.active.size += bytes
    this.active.records += frames.length
    this.durable += frames.length
    this.marks.push({ end: { segment: this.active.id, offset: this.active.size }, at: firstAt })
    for (const listener of this.syncListeners) listener(this.durable)
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => w.target <= this.durable)
      this.waiters = this.waiters.filter((w) => w.target > this.durable)
      for (const w of ready) w.resolve()
    }
  }

  private async rotate(): Promise<void> {
    await this.activeFh?.close()
    this.activeFh = null
    this.activeFh = await this.createSegment(this.active.id + 1)
  }

  /** Resolves once every record appended before the call is fsynced. */
  flushed(): Promise<void> {
    const target = this.appended
    if (this.durable >= target) return Promise.resolve()
    this.schedule(0)
    return new Promise((resolve) => this.waiters.push({ target, resolve }))
  }

  /** Counters since open: accepted, fsynced, and finished (committed or dropped as oldest). */
  progress(): { appended: number; durable: number; done: number } {
    return { appended: this.appended, durable: this.durable, done: this.done }
  }

  /** Called after every fsync with the number of records durable since open. */
  onSync(listener: (durable: number) => void): void {
    this.syncListeners.push(listener)
  }

  // ---- reading -------------------------------------------------------------------------------------

  /** Durable records not yet handed out by `read()`. */
  unread(): number {
    return this.durable - this.read_
  }

  /**
   * After a restart, the end of the batch that was in flight when the process stopped: reading exactly
   * up to it again gives the same batch (and the same insert deduplication token).
   */
  replayUntil(): SpoolPosition | null {
    return this.replayTo
  }

  /**
   * Reads up to `max` durable records in order (and not past `until`). Synchronous reads of at most a few
   * MB from the page cache, so nothing else can move the read position in between.
   */
  read(max: number, until: SpoolPosition | null = this.replayTo): SpoolBatch<T> {
    if (until) this.replayTo = null
    const from = { ...this.readPos }
    const batch: SpoolBatch<T> = { records: [], from, to: from, bytes: 0, skipped: 0 }
    let fd: number | null = null
    let fdSeg = -1
    const advance = (seg: Segment, by: number) => {
      batch.bytes += by
      this.readPos = { segment: seg.id, offset: this.readPos.offset + by }
    }
    try {
      while (batch.records.length < max) {
        const seg = this.segments.find((s) => s.id >= this.readPos.segment)
        if (!seg || (until && seg.id > until.segment)) break
        if (seg.id !== this.readPos.segment) {
          this.readPos = { segment: seg.id, offset: seg.start }
          this.readSegRecords = 0
        }
        const limit = until && until.segment === seg.id ? Math.min(until.offset, seg.size) : seg.size
        if (this.readPos.offset >= limit) {
          const next = this.segments.find((s) => s.id > seg.id)
          if (seg === this.active || !next || (until && until.segment === seg.id)) break
          this.readPos = { segment: next.id, offset: next.start }
          this.readSegRecords = 0
          continue
        }
        if (fd === null || fdSeg !== seg.id) {
          if (fd !== null) fs.closeSync(fd)
          fd = fs.openSync(this.file(seg.id), 'r')
          fdSeg = seg.id
        }
        const len = Math.min(limit - this.readPos.offset, READ_CHUNK)
        const buf = Buffer.allocUnsafe(len)
        const got = fs.readSync(fd, buf, 0, len, this.readPos.offset)
        if (got === 0) {
          this.skipCorrupt(seg, batch, 'segment file is shorter than recorded')
          continue
        }
        const view = buf.subarray(0, got)
        let at = 0
        let check = checkFrame(view, at)
        while (batch.records.length < max && check.kind === 'ok') {
          this.take(batch, view, check.payloadStart, check.end)
          at = check.end
          check = checkFrame(view, at)
        }
        if (batch.records.length >= max || at === got) {
          advance(seg, at)
          continue
        }
        if (check.kind === 'short' && at > 0) {
          advance(seg, at)
          continue
        }
        if (check.kind === 'short' && this.readPos.offset + check.need <= limit) {
          // One record larger than the read chunk: read exactly it.
          const big = Buffer.allocUnsafe(check.need)
          fs.readSync(fd, big, 0, check.need, this.readPos.offset)
          const bigCheck = checkFrame(big, 0)
          if (bigCheck.kind === 'ok') {
            this.take(batch, big, bigCheck.payloadStart, bigCheck.end)
            advance(seg, check.need)
            continue
          }
          check = bigCheck
        }
        advance(seg, at)
        this.skipCorrupt(seg, batch, check.kind === 'bad' ? check.reason : 'record runs past the end')
      }
    } finally {
      if (fd !== null) fs.closeSync(fd)
    }
    batch.to = { ...this.readPos }
    return batch
  }

  private take(batch: SpoolBatch<T>, buf: Buffer, start: number, end: number): void {
    this.read_++
    this.readSegRecords++
    try {
      batch.records.push(JSON.parse(buf.toString('utf8', start, end)) as T)
    } catch (err) {
      batch.skipped++
      this.log('error', 'spool: record with a valid checksum is not JSON; skipped', {
        segment: this.readPos.segment,
        error: (err as Error).message,
      })
    }
  }

  /** Skips the rest of a segment after a corrupt record (the framing after it cannot be trusted). */
  private skipCorrupt(seg: Segment, batch: SpoolBatch<T>, reason: string): void {
    this.torn++
    const lost = Math.max(0, seg.records - this.readSegRecords)
    this.log(
      'error',
      `spool: corrupt record in segment ${seg.id} at offset ${this.readPos.offset} (${reason})`,
      {
        segment: seg.id,
        offset: this.readPos.offset,
        recordsLost: lost,
      },
    )
    this.read_ += lost
    this.readSegRecords += lost
    batch.skipped += lost
    batch.bytes += seg.size - this.readPos.offset
    this.readPos = { segment: seg.id, offset: seg.size }
  }

  /**
   * Marks a batch as stored: advances the committed offset (atomic file) and then deletes the segments
   * entirely behind it. Counters change at once; the promise is the file work.
   */
  async commit(batch: SpoolBatch<T>): Promise<void> {
    this.done += batch.records.length + batch.skipped
    this.doneBytes += batch.bytes
    if (comparePositions(batch.to, this.committed) > 0) this.committed = { ...batch.to }
    // The end of a sealed segment is the start of the next one.
    for (;;) {
      const seg = this.segments.find((s) => s.id === this.committed.segment)
      const next = this.segments.find((s) => s.id > this.committed.segment)
      if (!seg || seg === this.active || this.committed.offset < seg.size || !next) break
      this.committed = { segment: next.id, offset: 0 }
    }
    const committed = { ...this.committed }
    const finished = this.segments.filter((s) => s.id < committed.segment && s !== this.active)
    this.segments = this.segments.filter((s) => !finished.includes(s))
    this.marks = this.marks.filter((m) => comparePositions(m.end, committed) > 0)
    this.checkNearFull()
    await writeFileAtomic(this.dir, 'committed', committed)
    await Promise.all(finished.map((s) => fsp.rm(this.file(s.id), { force: true })))
  }

  /** Remembers the batch being stored, so a restart re-reads exactly the same batch first. */
  markInflight(batch: SpoolBatch<T>): Promise<void> {
    return writeFileAtomic(this.dir, 'inflight', { from: batch.from, to: batch.to })
  }

  stats(): SpoolStats {
    const records = this.appended - this.done
    let oldestAgeMs = 0
    if (records > 0) {
      const mark = this.marks.find((m) => comparePositions(m.end, this.committed) > 0)
      const at = mark?.at ?? (this.pending.length > 0 ? this.pendingFirstAt : Date.now())
      oldestAgeMs = Math.max(0, Date.now() - at)
    }
    return {
      records,
      bytes: this.uncommittedBytes(),
      oldestAgeMs,
      segments: this.segments.length,
      maxBytes: this.maxBytes,
      nearFull: this.nearFull,
      full: this.full,
      policy: this.policy,
      droppedNew: this.droppedNew,
      droppedOld: this.droppedOld,
      torn: this.torn,
      durable: this.durable,
      writeErrors: this.writeErrors,
    }
  }

  /** Writes and fsyncs what is pending (waiting at most `timeoutMs`), then closes the files. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return
    const flushed = this.flushed()
    let timeout: NodeJS.Timeout | undefined
    await Promise.race([flushed, new Promise((r) => (timeout = setTimeout(r, timeoutMs)))])
    clearTimeout(timeout)
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.writing
    await this.activeFh?.close()
    this.activeFh = null
  }
}
