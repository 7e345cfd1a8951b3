import fs from 'node:fs'
import { fsyncDirSync, type Segment, type SpoolState, segmentFile } from './state.ts'

/** `fs.writeSync` with an explicit position; injectable so tests can make the disk fail on demand. */
export type WriteFn = (fd: number, buf: Buffer, offset: number, length: number, position: number) => number

export interface WriterOptions {
  /** Group-commit window: written records are fsynced at most this long after; default 50. */
  syncIntervalMs: number
  /** Records kept in memory while the disk refuses writes; past this the full policy applies. */
  memoryMaxBytes: number
  write?: WriteFn
}

/** Records go to disk in pieces of at most this size, so a nearly full disk still takes small ones. */
const WRITE_CHUNK = 1024 * 1024
const SYNC_SOON_BYTES = 16 * 1024 * 1024
const RETRY_MAX_MS = 1_000

const errCode = (err: unknown) => (err as NodeJS.ErrnoException)?.code ?? ''

/**
 * Appends frames with a synchronous `write(2)` into the active segment (the page cache survives a
 * killed process), and fsyncs what was written as one group at most `syncIntervalMs` later. When the
 * disk refuses a write, frames wait in memory (bounded) and are retried every second at most.
 */
export class SpoolWriter<T> {
  private fd: number
  private readonly write: WriteFn
  private pending: Buffer[] = []
  private pendingBytes = 0
  private unsyncedSince = 0
  private syncTimer: NodeJS.Timeout | null = null
  private syncing = false
  private syncDone: Array<() => void> = []
  private retryTimer: NodeJS.Timeout | null = null
  private retryMs = 0
  private deferredClose: number[] = []
  private waiters: Array<{ target: number; resolve: () => void }> = []
  private readonly listeners: Array<(durable: number) => void> = []
  private closed = false

  constructor(
    private readonly s: SpoolState<T>,
    private readonly opts: WriterOptions,
    firstId: number,
  ) {
    this.write = opts.write ?? fs.writeSync
    this.fd = this.openSegment(firstId)
  }

  private openSegment(id: number): number {
    const fd = fs.openSync(segmentFile(this.s.dir, id), 'wx')
    fsyncDirSync(this.s.dir)
    const seg: Segment = { id, size: 0, records: 0, start: 0, written: 0, writtenRecords: 0 }
    this.s.active = seg
    this.s.segments.push(seg)
    return fd
  }

  /** Bytes accepted but still only in memory (the disk refused them). */
  memoryBytes(): number {
    return this.pendingBytes
  }

  /** Writes the frame now, or keeps it in memory if the disk fails; false when it had to be dropped. */
  accept(frame: Buffer): boolean {
    if (this.pending.length === 0) {
      try {
        this.writeFrame(frame)
        this.scheduleSync()
        return true
      } catch (err) {
        this.failed(err)
      }
    }
    if (this.pendingBytes + frame.length > this.opts.memoryMaxBytes && !this.dropOldestPending(frame.length))
      return false
    this.pending.push(frame)
    this.pendingBytes += frame.length
    this.scheduleRetry()
    return true
  }

  /** drop_oldest while the disk is full: the oldest in-memory records make room (counted). */
  private dropOldestPending(need: number): boolean {
    const s = this.s
    if (s.policy !== 'drop_oldest') return false
    while (this.pending.length > 0 && this.pendingBytes + need > this.opts.memoryMaxBytes) {
      const f = this.pending.shift() as Buffer
      this.pendingBytes -= f.length
      s.n.droppedOld++
      s.n.droppedDiskFull++
      s.n.done++
      s.n.doneBytes += f.length
    }
    return this.pendingBytes + need <= this.opts.memoryMaxBytes
  }

  private writeFrame(frame: Buffer): void {
    const seg0 = this.s.active
    if (seg0.written > 0 && seg0.written + frame.length > this.s.segmentBytes) this.rotate()
    const seg = this.s.active
    let done = 0
    try {
      while (done < frame.length) {
        const len = Math.min(WRITE_CHUNK, frame.length - done)
        done += this.write(this.fd, frame, done, len, seg.written + done)
      }
    } catch (err) {
      // Cut the partial frame so the file never holds a torn record we know about.
      if (done > 0) fs.ftruncateSync(this.fd, seg.written)
      throw err
    }
    seg.written += frame.length
    seg.writtenRecords++
    if (this.unsyncedSince === 0) this.unsyncedSince = Date.now()
  }

  private rotate(): void {
    const old = this.s.active
    const oldFd = this.fd
    this.fd = this.openSegment(old.id + 1)
    if (old.written > old.size) {
      fs.fdatasyncSync(oldFd)
      this.markDurable(old, old.written, old.writtenRecords, this.unsyncedSince || Date.now())
      this.unsyncedSince = 0
    }
    if (this.syncing) this.deferredClose.push(oldFd)
    else fs.closeSync(oldFd)
  }

  private failed(err: unknown): void {
    const s = this.s
    s.n.writeErrors++
    const code = errCode(err)
    const wasFull = s.diskFull
    if (code === 'ENOSPC' || code === 'EDQUOT') s.diskFull = true
    if (this.pending.length === 0 && !wasFull)
      s.log('error', 'spool: writing to disk failed; records wait in memory and are retried', {
        error: (err as Error).message,
        code,
        memoryMaxBytes: this.opts.memoryMaxBytes,
        dir: s.dir,
      })
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return
    this.retryMs = Math.min(this.retryMs ? this.retryMs * 2 : 100, RETRY_MAX_MS)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.drainPending()
    }, this.retryMs)
  }

  private drainPending(): void {
    let i = 0
    try {
      for (; i < this.pending.length; i++) this.writeFrame(this.pending[i] as Buffer)
    } catch (err) {
      this.failed(err)
    }
    if (i > 0) {
      for (const f of this.pending.splice(0, i)) this.pendingBytes -= f.length
      this.scheduleSync()
    }
    if (this.pending.length > 0) {
      this.scheduleRetry()
      return
    }
    this.retryMs = 0
    if (this.s.diskFull) {
      this.s.diskFull = false
      this.s.log('info', 'spool: disk writes recovered; records held in memory are on disk again')
    }
  }

  private scheduleSync(now = false): void {
    const seg = this.s.active
    if (this.syncing || this.closed) return
    const soon = now || seg.written - seg.size >= SYNC_SOON_BYTES
    if (this.syncTimer) {
      if (!soon) return
      clearTimeout(this.syncTimer)
    }
    this.syncTimer = setTimeout(() => this.sync(), soon ? 0 : this.opts.syncIntervalMs)
  }

  private sync(): void {
    this.syncTimer = null
    const seg = this.s.active
    const bytes = seg.written
    const records = seg.writtenRecords
    const at = this.unsyncedSince || Date.now()
    if (bytes <= seg.size) return
    this.unsyncedSince = 0
    this.syncing = true
    fs.fdatasync(this.fd, (err) => {
      this.syncing = false
      for (const fd of this.deferredClose.splice(0)) fs.close(fd, () => {})
      if (err) {
        this.s.n.writeErrors++
        this.s.log('error', 'spool: fsync failed; retrying', { error: err.message })
        if (this.unsyncedSince === 0) this.unsyncedSince = at
      } else this.markDurable(seg, bytes, records, at)
      for (const done of this.syncDone.splice(0)) done()
      if (this.s.active.written > this.s.active.size) this.scheduleSync(this.waiters.length > 0)
    })
  }

  private markDurable(seg: Segment, bytes: number, records: number, at: number): void {
    if (bytes <= seg.size) return
    const s = this.s
    s.n.durable += records - seg.records
    seg.size = bytes
    seg.records = records
    s.marks.push({ end: { segment: seg.id, offset: bytes }, at })
    for (const listener of this.listeners) listener(s.n.durable)
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => w.target <= s.n.durable)
      this.waiters = this.waiters.filter((w) => w.target > s.n.durable)
      for (const w of ready) w.resolve()
    }
  }

  onSync(listener: (durable: number) => void): void {
    this.listeners.push(listener)
  }

  /** Resolves once `target` records (counted since open) are fsynced. */
  flushed(target: number): Promise<void> {
    if (this.s.n.durable >= target) return Promise.resolve()
    if (this.pending.length > 0 && !this.retryTimer) this.scheduleRetry()
    this.scheduleSync(true)
    return new Promise((resolve) => this.waiters.push({ target, resolve }))
  }

  /** Last try to write what waits in memory, a final fsync, then the file is closed. */
  async close(): Promise<number> {
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    if (this.pending.length > 0) this.drainPending()
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.closed = true
    if (this.syncTimer) clearTimeout(this.syncTimer)
    this.syncTimer = null
    if (this.syncing) await new Promise<void>((r) => this.syncDone.push(r))
    const seg = this.s.active
    if (seg.written > seg.size) {
      try {
        fs.fdatasyncSync(this.fd)
        this.markDurable(seg, seg.written, seg.writtenRecords, this.unsyncedSince || Date.now())
      } catch (err) {
        this.s.log('error', 'spool: final fsync failed', { error: (err as Error).message })
      }
    }
    fs.closeSync(this.fd)
    for (const fd of this.deferredClose.splice(0)) fs.closeSync(fd)
    const lost = this.pending.length
    this.pending = []
    this.pendingBytes = 0
    return lost
  }
}
