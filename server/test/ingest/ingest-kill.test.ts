import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
} from '../../src/db/clickhouse/index.ts'
import { createPipeline } from '../../src/ingest/pipeline.ts'
import { tempDir } from '../support/ingest-fixtures.ts'
import { childEventId, spawnSpoolChild } from '../support/spool-child.ts'

const root = tempDir('leash-kill-')
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

describe('kill -9 mid-traffic', () => {
  it('delivers every acknowledged record exactly once after a SIGKILL, and nothing else is invented', async () => {
    const spoolDir = path.join(root, 'spool')
    const { child, acks } = spawnSpoolChild(spoolDir, 'p-kill')
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    )
    const deadline = Date.now() + 20_000
    while (acks() < 3000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    const acknowledged = acks()
    expect(acknowledged).toBeGreaterThanOrEqual(3000)

    const ch = createClickHouse({ dataDir: root })
    try {
      await migrateClickHouse(ch)
      const logs: string[] = []
      const pipeline = await createPipeline({
        writeExchanges: insertExchanges(ch),
        writeScores: insertScores(ch),
        scorers: [],
        log: (level, msg) => logs.push(`${level} ${msg}`),
        spoolDir,
      })
      await pipeline.flush()
      await pipeline.close()
      const rs = await ch.query({
        query:
          "SELECT toString(event_id) AS id, count() AS n FROM raw_responses_v1 WHERE project_id = 'p-kill' GROUP BY id",
        format: 'JSONEachRow',
      })
      const rows = (await rs.json()) as Array<{ id: string; n: string }>
      const duplicated = rows.filter((r) => Number(r.n) !== 1).length
      const stored = new Set(rows.map((r) => r.id))
      const lost = Array.from({ length: acknowledged }, (_, i) => childEventId(i)).filter(
        (id) => !stored.has(id),
      )
      expect({ lost: lost.length, duplicated }).toEqual({ lost: 0, duplicated: 0 })
      // Records written after the last ack may have made it too, but only as a gap-free prefix.
      expect(rows.length).toBeGreaterThanOrEqual(acknowledged)
      expect(
        Array.from({ length: rows.length }, (_, i) => childEventId(i)).every((id) => stored.has(id)),
      ).toBe(true)
      // At most one torn tail, and it was logged.
      expect(logs.filter((l) => l.includes('torn record')).length).toBeLessThanOrEqual(1)
    } finally {
      await ch.close()
    }
  })
})
