import fs from 'node:fs'
import path from 'node:path'
import { checkFrame } from './format.ts'
import {
  comparePositions,
  READ_CHUNK,
  SEGMENT_FILE,
  type Segment,
  type SpoolPosition,
  type SpoolState,
  segmentFile,
} from './state.ts'

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
 * Reads the committed offset and the in-flight marker, validates every segment from the committed
 * offset frame by frame (cutting a torn tail with one log line) and returns the next segment id.
 */
export function recover<T>(s: SpoolState<T>): number {
  fs.mkdirSync(s.dir, { recursive: true })
  const committedFile = path.join(s.dir, 'committed')
  const committed = PositionJson(readJsonFile(committedFile))
  if (fs.existsSync(committedFile) && !committed)
    s.log('error', 'spool: unreadable committed offset; re-delivering every segment (duplicates collapse)')
  s.committed = committed ?? { segment: 0, offset: 0 }
  const ids = fs
    .readdirSync(s.dir)
    .map((f) => SEGMENT_FILE.exec(f)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
  for (const id of ids) {
    if (id < s.committed.segment) {
      fs.rmSync(segmentFile(s.dir, id), { force: true })
      continue
    }
    const start = id === s.committed.segment ? s.committed.offset : 0
    const seg = scanSegment(s, id, start)
    // Nothing uncommitted left in it (e.g. a segment opened by a run that then saw no traffic).
    if (seg && seg.records === 0) fs.rmSync(segmentFile(s.dir, id), { force: true })
    else if (seg) s.segments.push(seg)
  }
  const inflight = readJsonFile(path.join(s.dir, 'inflight')) as { to?: unknown } | undefined
  const replayTo = PositionJson(inflight?.to)
  if (replayTo && comparePositions(replayTo, s.committed) > 0) s.replayTo = replayTo
  const first = s.segments[0]
  s.readPos = first ? { segment: first.id, offset: first.start } : { ...s.committed }
  return Math.max(s.committed.segment, ...ids, 0) + 1
}

function safeTime<T>(s: SpoolState<T>, buf: Buffer, start: number, end: number): number | undefined {
  try {
    return s.timeOf(JSON.parse(buf.toString('utf8', start, end)) as T)
  } catch {
    return undefined
  }
}

/** Validates one segment from `start`; cuts off a torn or corrupt tail with one log line. */
function scanSegment<T>(s: SpoolState<T>, id: number, start: number): Segment | null {
  const file = segmentFile(s.dir, id)
  const size = fs.statSync(file).size
  if (start > size) {
    s.log('error', 'spool: committed offset is past the end of its segment; skipping it', {
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
        if (records === 0) firstTime = safeTime(s, buf, check.payloadStart, check.end)
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
        s.n.torn++
        s.log('warn', `spool: torn record in segment ${id} at offset ${offset} (${reason}); skipped`, {
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
  s.n.appended += records
  s.n.durable += records
  s.n.appendedBytes += offset - start
  if (records > 0) s.marks.push({ end: { segment: id, offset }, at: firstTime ?? Date.now() })
  return { id, size: offset, records, start, written: offset, writtenRecords: records }
}
