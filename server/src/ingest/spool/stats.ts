import fsp from 'node:fs/promises'
import {
  comparePositions,
  type SpoolFullPolicy,
  type SpoolState,
  segmentFile,
  uncommittedBytes,
} from './state.ts'

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
  /** Of the dropped records, those dropped because the disk itself was full. */
  droppedDiskFull: number
  /** The disk refuses writes; records wait in memory (`memoryBytes`). */
  diskFull: boolean
  memoryBytes: number
  /** Torn or corrupt records found (at open or on read) and skipped. */
  torn: number
  /** Records fsynced since open (recovered records included). */
  durable: number
  writeErrors: number
}

const NEAR_FULL = 0.8

export function markFull<T>(s: SpoolState<T>, what: string, why: string): void {
  if (s.full) return
  s.full = true
  s.log('error', `spool FULL: ${what} (${why})`, { maxBytes: s.maxBytes, policy: s.policy, dir: s.dir })
}

export function checkNearFull<T>(s: SpoolState<T>): void {
  const used = uncommittedBytes(s)
  if (!s.nearFull && used >= s.maxBytes * NEAR_FULL) {
    s.nearFull = true
    s.log('error', 'spool NEAR FULL: over 80% of LEASH_SPOOL_MAX_BYTES is waiting for ClickHouse', {
      bytes: used,
      maxBytes: s.maxBytes,
      policy: s.policy,
    })
  } else if (s.nearFull && used < s.maxBytes * 0.7) {
    s.nearFull = false
    s.full = false
    s.log('info', 'spool back below 70% of its size cap', { bytes: used, maxBytes: s.maxBytes })
  } else if (!s.nearFull && s.full && !s.diskFull) s.full = false
}

/** Applies the full policy against the size cap; false when the new record must be dropped. */
export function makeRoom<T>(s: SpoolState<T>, bytes: number): boolean {
  while (uncommittedBytes(s) + bytes > s.maxBytes) {
    if (s.policy === 'drop_oldest' && dropOldestSegment(s)) continue
    s.n.droppedNew++
    markFull(s, 'drop_new', 'LEASH_SPOOL_MAX_BYTES reached; ClickHouse is not keeping up')
    return false
  }
  return true
}

/** Drops the oldest unread sealed segment (drop_oldest); false when there is none to drop. */
function dropOldestSegment<T>(s: SpoolState<T>): boolean {
  const seg = s.segments.find((x) => x !== s.active && x.id >= s.readPos.segment)
  if (!seg) return false
  const inSeg = s.readPos.segment === seg.id
  const from = inSeg ? Math.max(seg.start, s.readPos.offset) : seg.start
  const records = seg.records - (inSeg ? s.readSegRecords : 0)
  s.n.droppedOld += records
  s.n.read += records
  s.n.done += records
  s.n.doneBytes += seg.size - from
  markFull(s, 'dropping the oldest records', 'LEASH_SPOOL_MAX_BYTES reached; ClickHouse is not keeping up')
  s.log('warn', 'spool full: dropped the oldest unsent segment', { segment: seg.id, records })
  const next = s.segments.find((x) => x.id > seg.id) ?? s.active
  s.readPos = { segment: next.id, offset: next.start }
  s.readSegRecords = 0
  if (s.replayTo && s.replayTo.segment <= seg.id) s.replayTo = null
  // Deleting the file is the only I/O and must not block the caller; nothing reads this segment again
  // (a batch already read from it is in memory and commits normally).
  s.segments = s.segments.filter((x) => x !== seg)
  s.marks = s.marks.filter((m) => m.end.segment !== seg.id)
  fsp.rm(segmentFile(s.dir, seg.id), { force: true }).catch((err: Error) => {
    s.log('error', 'spool: could not delete a dropped segment', { segment: seg.id, error: err.message })
  })
  return true
}

export function statsOf<T>(s: SpoolState<T>, memoryBytes: number): SpoolStats {
  const records = s.n.appended - s.n.done
  let oldestAgeMs = 0
  if (records > 0) {
    const mark = s.marks.find((m) => comparePositions(m.end, s.committed) > 0)
    oldestAgeMs = Math.max(0, Date.now() - (mark?.at ?? Date.now()))
  }
  return {
    records,
    bytes: uncommittedBytes(s),
    oldestAgeMs,
    segments: s.segments.length,
    maxBytes: s.maxBytes,
    nearFull: s.nearFull,
    full: s.full,
    policy: s.policy,
    droppedNew: s.n.droppedNew,
    droppedOld: s.n.droppedOld,
    droppedDiskFull: s.n.droppedDiskFull,
    diskFull: s.diskFull,
    memoryBytes,
    torn: s.n.torn,
    durable: s.n.durable,
    writeErrors: s.n.writeErrors,
  }
}
