import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../../log.ts'

export type SpoolFullPolicy = 'drop_new' | 'drop_oldest'

/** A place in the spool: byte offset inside a segment file. */
export interface SpoolPosition {
  segment: number
  offset: number
}

export interface Segment {
  id: number
  /** Bytes written and fsynced (what the reader may hand out). */
  size: number
  /** Records in [start, size). */
  records: number
  /** First byte holding an uncommitted record when the spool was opened (0 for later segments). */
  start: number
  /** Bytes written into the file (page cache), fsynced or not; >= size. */
  written: number
  writtenRecords: number
}

export interface Mark {
  end: SpoolPosition
  at: number
}

/** Everything the recovery, writer, reader and stats parts of one spool share. */
export interface SpoolState<T> {
  dir: string
  log: Logger
  maxBytes: number
  segmentBytes: number
  policy: SpoolFullPolicy
  timeOf: (record: T) => number | undefined
  segments: Segment[]
  active: Segment
  committed: SpoolPosition
  readPos: SpoolPosition
  readSegRecords: number
  replayTo: SpoolPosition | null
  marks: Mark[]
  n: {
    appended: number
    appendedBytes: number
    durable: number
    read: number
    done: number
    doneBytes: number
    droppedNew: number
    droppedOld: number
    /** Records dropped because the disk (not the configured cap) was full. */
    droppedDiskFull: number
    torn: number
    writeErrors: number
  }
  nearFull: boolean
  full: boolean
  /** The last write failed for lack of space; records wait in memory (bounded). */
  diskFull: boolean
}

export const SEGMENT_FILE = /^(\d{12})\.seg$/
export const READ_CHUNK = 8 * 1024 * 1024

export function comparePositions(a: SpoolPosition, b: SpoolPosition): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset
}

export function segmentFile(dir: string, id: number): string {
  return path.join(dir, `${String(id).padStart(12, '0')}.seg`)
}

export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Replaces a small JSON file atomically against a crash of the process (temp file + rename). Not
 * fsynced: after a power loss a stale or empty offset file only means re-delivery, which deduplicates.
 */
export async function writeFileAtomic(dir: string, name: string, value: unknown): Promise<void> {
  const tmp = path.join(dir, `${name}.tmp`)
  await fsp.writeFile(tmp, JSON.stringify(value))
  await fsp.rename(tmp, path.join(dir, name))
}

export function uncommittedBytes<T>(s: SpoolState<T>): number {
  return s.n.appendedBytes - s.n.doneBytes
}
