import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Spool, type SpoolOptions } from '../../src/ingest/spool/index.ts'

interface Rec {
  id: number
  time: number
  body: string
}

const base = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'leash-spool-'))
afterAll(() => fs.rmSync(base, { recursive: true, force: true }))
let n = 0
const freshDir = () => path.join(base, `s${n++}`)

/** Fixed-size records: every frame is exactly FRAME bytes, so sizes and drops are exact. */
const rec = (id: number): Rec => ({ id: 100_000 + id, time: 1_700_000_000_000, body: 'x'.repeat(100) })
const FRAME = 8 + Buffer.byteLength(JSON.stringify(rec(0)))

function open(dir: string, logs: string[] = [], opts: Partial<SpoolOptions<Rec>> = {}): Promise<Spool<Rec>> {
  return Spool.open<Rec>({
    dir,
    log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
    syncIntervalMs: 5,
    ...opts,
  })
}

async function appendAll(spool: Spool<Rec>, ids: number[], each = false): Promise<void> {
  for (const id of ids) {
    expect(spool.append(rec(id))).toBe(true)
    if (each) await spool.flushed()
  }
  await spool.flushed()
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)
const ids = (records: Rec[]) => records.map((r) => r.id - 100_000)

function segmentFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort()
}

describe('spool', () => {
  it('hands back durable records in order, commits, and forgets them after a restart', async () => {
    const dir = freshDir()
    const spool = await open(dir)
    const acks: number[] = []
    spool.onSync((d) => acks.push(d))
    await appendAll(spool, range(0, 100))
    expect(acks.at(-1)).toBe(100)
    expect(spool.stats()).toMatchObject({ records: 100, bytes: 100 * FRAME, durable: 100 })
    const first = spool.read(60)
    expect(ids(first.records)).toEqual(range(0, 60))
    await spool.commit(first)
    expect(spool.stats()).toMatchObject({ records: 40, bytes: 40 * FRAME })
    await spool.close()

    const again = await open(dir)
    expect(again.unread()).toBe(40)
    const rest = again.read(1000)
    expect(ids(rest.records)).toEqual(range(60, 100))
    await again.commit(rest)
    await again.close()
    const third = await open(dir)
    expect(third.unread()).toBe(0)
    expect(third.read(10).records).toEqual([])
    await third.close()
  })

  it('rotates segments by size and deletes the ones fully behind the committed offset', async () => {
    const dir = freshDir()
    const spool = await open(dir, [], { segmentBytes: 10 * FRAME })
    await appendAll(spool, range(0, 35), true)
    expect(segmentFiles(dir)).toHaveLength(4)
    const batch = spool.read(25)
    expect(ids(batch.records)).toEqual(range(0, 25))
    await spool.commit(batch)
    expect(segmentFiles(dir)).toHaveLength(2)
    const rest = spool.read(100)
    expect(ids(rest.records)).toEqual(range(25, 35))
    await spool.commit(rest)
    expect(segmentFiles(dir)).toHaveLength(1)
    expect(spool.stats()).toMatchObject({ records: 0, bytes: 0, segments: 1 })
    await spool.close()
  })

  it('re-reads exactly the in-flight batch first after a restart', async () => {
    const dir = freshDir()
    const spool = await open(dir)
    await appendAll(spool, range(0, 10))
    const batch = spool.read(7)
    await spool.markInflight(batch)
    await appendAll(spool, range(10, 20))
    await spool.close()
    const again = await open(dir)
    expect(again.replayUntil()).toEqual(batch.to)
    const replay = again.read(1000)
    expect(ids(replay.records)).toEqual(range(0, 7))
    expect(ids(again.read(1000).records)).toEqual(range(7, 20))
    await again.close()
  })

  it.each([
    ['cut short', (file: string, size: number) => fs.truncateSync(file, size - 5)],
    [
      'checksum mismatch',
      (file: string, size: number) => {
        const fd = fs.openSync(file, 'r+')
        fs.writeSync(fd, Buffer.from('Y'), 0, 1, size - 3)
        fs.closeSync(fd)
      },
    ],
  ])('skips a torn last record (%s) with one log line and delivers the rest', async (_name, tear) => {
    const dir = freshDir()
    const spool = await open(dir)
    await appendAll(spool, range(0, 50))
    await spool.close()
    const [file] = segmentFiles(dir)
    const full = path.join(dir, file as string)
    const size = fs.statSync(full).size
    expect(size).toBe(50 * FRAME)
    tear(full, size)

    const logs: string[] = []
    const again = await open(dir, logs)
    const torn = logs.filter((l) => l.includes('torn record'))
    expect(torn).toHaveLength(1)
    expect(torn[0]).toContain(`segment 1 at offset ${49 * FRAME}`)
    expect(again.stats()).toMatchObject({ torn: 1, records: 49 })
    expect(fs.statSync(full).size).toBe(49 * FRAME)
    const all = again.read(1000)
    expect(ids(all.records)).toEqual(range(0, 49))
    await again.commit(all)
    // New records go to a new segment and read cleanly after the cut.
    await appendAll(again, [50, 51])
    expect(ids(again.read(10).records)).toEqual([50, 51])
    await again.close()
  })

  it('drop_new: a full spool refuses new records, counts them exactly, and never throws', async () => {
    const dir = freshDir()
    const logs: string[] = []
    const spool = await open(dir, logs, { maxBytes: Math.floor(10.5 * FRAME), fullPolicy: 'drop_new' })
    const accepted = range(0, 15).map((i) => spool.append(rec(i)))
    expect(accepted).toEqual([...Array(10).fill(true), ...Array(5).fill(false)])
    await spool.flushed()
    expect(spool.stats()).toMatchObject({
      records: 10,
      droppedNew: 5,
      droppedOld: 0,
      full: true,
      nearFull: true,
    })
    expect(logs.filter((l) => l.includes('NEAR FULL'))).toHaveLength(1)
    expect(logs.filter((l) => l.includes('spool FULL'))).toHaveLength(1)
    const batch = spool.read(100)
    expect(ids(batch.records)).toEqual(range(0, 10))
    await spool.commit(batch)
    expect(spool.stats()).toMatchObject({ records: 0, full: false, nearFull: false })
    expect(spool.append(rec(15))).toBe(true)
    await spool.close()
  })

  it('drop_oldest: a full spool drops whole oldest segments, counts them exactly, and never throws', async () => {
    const dir = freshDir()
    const spool = await open(dir, [], {
      maxBytes: Math.floor(10.5 * FRAME),
      segmentBytes: 2 * FRAME,
      fullPolicy: 'drop_oldest',
    })
    // Each record fsynced before the next, so segments of two records are sealed as they fill.
    await appendAll(spool, range(0, 15), true)
    // r10 needs room: drop segment (r0, r1); r12: drop (r2, r3); r14: drop (r4, r5).
    expect(spool.stats()).toMatchObject({
      records: 9,
      bytes: 9 * FRAME,
      droppedOld: 6,
      droppedNew: 0,
      full: true,
    })
    const batch = spool.read(100)
    expect(ids(batch.records)).toEqual(range(6, 15))
    await spool.commit(batch)
    expect(spool.stats().records).toBe(0)
    await spool.close()
  })

  it('keeps accepting records after close returns false instead of throwing', async () => {
    const spool = await open(freshDir())
    await spool.close()
    expect(spool.append(rec(1))).toBe(false)
    expect(spool.stats().droppedNew).toBe(1)
  })
})
