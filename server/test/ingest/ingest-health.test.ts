import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClickHouseClient,
  createClickHouse,
  type IngestHealthRow,
  insertIngestHealth,
  migrateClickHouse,
} from '../../src/db/clickhouse/index.ts'
import { HealthReporter } from '../../src/ingest/health.ts'

let root: string
let ch: ClickHouseClient
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-health-'))
  ch = createClickHouse({ dataDir: root })
  await migrateClickHouse(ch)
}, 120_000)
afterAll(async () => {
  await ch?.close()
  fs.rmSync(root, { recursive: true, force: true })
})

async function rows(replica: string): Promise<Array<{ project_id: string; dropped: number }>> {
  const rs = await ch.query({
    query: `SELECT project_id, toUInt32(sum(dropped)) AS dropped FROM ingest_health_v1
      WHERE replica = {replica:String} GROUP BY project_id ORDER BY project_id`,
    query_params: { replica },
    format: 'JSONEachRow',
  })
  return ((await rs.json()) as Array<{ project_id: string; dropped: number | string }>).map((r) => ({
    project_id: r.project_id,
    dropped: Number(r.dropped),
  }))
}

describe('ingest health rows', () => {
  it('attributes drops to their project, the rest to the replica row, and keeps rows a failed write refused', async () => {
    const insert = insertIngestHealth(ch)
    const state = { down: true, logs: [] as string[] }
    const spool = { droppedNew: 0, droppedOld: 0, droppedDiskFull: 0, records: 0 }
    const reporter = new HealthReporter({
      write: async (r: IngestHealthRow[]) => {
        if (state.down) throw new Error('connect ECONNREFUSED (ClickHouse unavailable)')
        await insert(r)
      },
      spool: () => spool,
      log: (_level, msg) => state.logs.push(msg),
      replica: 'health-test',
    })
    // Two spool refusals of project p1 (the spool counts them too), one dead-lettered row of p2, and
    // three older records dropped for room, whose project nobody knows.
    reporter.count('p1', 'spool')
    reporter.count('p1', 'spool')
    spool.droppedNew += 2
    reporter.count('p2', 'deadLettered')
    spool.droppedOld += 3
    spool.droppedDiskFull += 3
    await reporter.report()
    expect(state.logs.filter((l) => l.includes('could not write the ingest health rows'))).toHaveLength(1)
    expect(await rows('health-test')).toEqual([])

    state.down = false
    reporter.count('p1', 'invalid')
    await reporter.stop()
    expect(await rows('health-test')).toEqual([
      { project_id: '', dropped: 3 },
      { project_id: 'p1', dropped: 3 },
      { project_id: 'p2', dropped: 1 },
    ])
  }, 60_000)
})
