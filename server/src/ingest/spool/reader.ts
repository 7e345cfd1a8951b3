import fs from 'node:fs'
import { checkFrame } from './format.ts'
import { READ_CHUNK, type Segment, type SpoolPosition, type SpoolState, segmentFile } from './state.ts'

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

/**
 * Reads up to `max` durable records in order (and not past `until`). Synchronous reads of at most a few
 * MB from the page cache, so nothing else can move the read position in between.
 */
export function readBatch<T>(s: SpoolState<T>, max: number, until: SpoolPosition | null): SpoolBatch<T> {
  const from = { ...s.readPos }
  const batch: SpoolBatch<T> = { records: [], from, to: from, bytes: 0, skipped: 0 }
  let fd: number | null = null
  let fdSeg = -1
  const advance = (seg: Segment, by: number) => {
    batch.bytes += by
    s.readPos = { segment: seg.id, offset: s.readPos.offset + by }
  }
  try {
    while (batch.records.length < max) {
      const seg = s.segments.find((x) => x.id >= s.readPos.segment)
      if (!seg || (until && seg.id > until.segment)) break
      if (seg.id !== s.readPos.segment) {
        s.readPos = { segment: seg.id, offset: seg.start }
        s.readSegRecords = 0
      }
      const limit = until && until.segment === seg.id ? Math.min(until.offset, seg.size) : seg.size
      if (s.readPos.offset >= limit) {
        const next = s.segments.find((x) => x.id > seg.id)
        if (seg === s.active || !next || (until && until.segment === seg.id)) break
        s.readPos = { segment: next.id, offset: next.start }
        s.readSegRecords = 0
        continue
      }
      if (fd === null || fdSeg !== seg.id) {
        if (fd !== null) fs.closeSync(fd)
        fd = fs.openSync(segmentFile(s.dir, seg.id), 'r')
        fdSeg = seg.id
      }
      // Read about what `max` records need (the segment's average frame, with room), not a whole chunk:
      // the pipeline reads a batch in slices of a few hundred records. A short read just reads again.
      const avg = seg.records > 0 ? (seg.size - seg.start) / seg.records : 4096
      const want = Math.ceil((max - batch.records.length) * avg * 1.5) + 65_536
      const len = Math.min(limit - s.readPos.offset, READ_CHUNK, want)
      const buf = Buffer.allocUnsafe(len)
      const got = fs.readSync(fd, buf, 0, len, s.readPos.offset)
      if (got === 0) {
        skipCorrupt(s, seg, batch, 'segment file is shorter than recorded')
        continue
      }
      const view = buf.subarray(0, got)
      let at = 0
      let check = checkFrame(view, at)
      while (batch.records.length < max && check.kind === 'ok') {
        take(s, batch, view, check.payloadStart, check.end)
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
      if (check.kind === 'short' && s.readPos.offset + check.need <= limit) {
        // One record larger than the read chunk: read exactly it.
        const big = Buffer.allocUnsafe(check.need)
        fs.readSync(fd, big, 0, check.need, s.readPos.offset)
        const bigCheck = checkFrame(big, 0)
        if (bigCheck.kind === 'ok') {
          take(s, batch, big, bigCheck.payloadStart, bigCheck.end)
          advance(seg, check.need)
          continue
        }
        check = bigCheck
      }
      advance(seg, at)
      skipCorrupt(s, seg, batch, check.kind === 'bad' ? check.reason : 'record runs past the end')
    }
  } finally {
    if (fd !== null) fs.closeSync(fd)
  }
  batch.to = { ...s.readPos }
  return batch
}

function take<T>(s: SpoolState<T>, batch: SpoolBatch<T>, buf: Buffer, start: number, end: number): void {
  s.n.read++
  s.readSegRecords++
  try {
    batch.records.push(JSON.parse(buf.toString('utf8', start, end)) as T)
  } catch (err) {
    batch.skipped++
    s.log('error', 'spool: record with a valid checksum is not JSON; skipped', {
      segment: s.readPos.segment,
      error: (err as Error).message,
    })
  }
}

/** Skips the rest of a segment after a corrupt record (the framing after it cannot be trusted). */
function skipCorrupt<T>(s: SpoolState<T>, seg: Segment, batch: SpoolBatch<T>, reason: string): void {
  s.n.torn++
  const lost = Math.max(0, seg.records - s.readSegRecords)
  s.log('error', `spool: corrupt record in segment ${seg.id} at offset ${s.readPos.offset} (${reason})`, {
    segment: seg.id,
    offset: s.readPos.offset,
    recordsLost: lost,
  })
  s.n.read += lost
  s.readSegRecords += lost
  batch.skipped += lost
  batch.bytes += seg.size - s.readPos.offset
  s.readPos = { segment: seg.id, offset: seg.size }
}
