import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import { createClickHouse, describeClickHouse } from '../../src/db/clickhouse/index.ts'
import type { ClickHouseServer } from '../support/clickhouse-server.ts'
import { SMOKE_USER, startClickHouseServer } from '../support/clickhouse-server.ts'

// Debian ships ClickHouse 18.16: no query parameters, no DateTime64, no column comments in this smoke
// test. It checks only that createClickHouse({ url }) talks to a real server; the schema is tested on chdb.
let server: ClickHouseServer | undefined
let admin: ClickHouseClient
let client: ClickHouseClient

function userUrl(password: string): string {
  const url = new URL(server?.url ?? '')
  url.username = SMOKE_USER.name
  url.password = password
  url.searchParams.set('database', 'smoke')
  return url.toString()
}

beforeAll(async () => {
  server = await startClickHouseServer()
  admin = createClickHouse({ url: server.url, dataDir: os.tmpdir() })
  await admin.command({ query: 'CREATE DATABASE IF NOT EXISTS smoke' })
  client = createClickHouse({ url: userUrl(SMOKE_USER.password), dataDir: os.tmpdir() })
})

afterAll(async () => {
  await client?.close()
  await admin?.close()
  await server?.stop()
})

describe('clickhouse-server over HTTP', () => {
  it('pings and describes the target without the password', async () => {
    expect(await client.ping()).toEqual({ success: true })
    const described = describeClickHouse({ url: userUrl(SMOKE_USER.password), dataDir: '/unused' })
    expect(described).toBe(`server at http://leash@127.0.0.1:${server?.httpPort}/smoke`)
    expect(described).not.toContain(SMOKE_USER.password)
  })

  it('creates a table, inserts JSONEachRow and reads the rows back in the URL database', async () => {
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS smoke_events (project_id String, event_id String, time DateTime,
        status UInt16, latency_ms Float64) ENGINE = MergeTree() ORDER BY (project_id, time, event_id)`,
    })
    const rows = [
      { project_id: 'p1', event_id: 'e1', time: '2026-01-01 12:00:00', status: 200, latency_ms: 12.5 },
      { project_id: 'p1', event_id: 'e2', time: '2026-01-01 12:00:30', status: 500, latency_ms: 40 },
      { project_id: 'p2', event_id: 'e3', time: '2026-01-01 12:01:00', status: 200, latency_ms: 7 },
    ]
    await client.insert({ table: 'smoke_events', values: rows, format: 'JSONEachRow' })
    const rs = await client.query({
      query: `SELECT currentDatabase() AS db, project_id, event_id, toString(time) AS time, status, latency_ms
        FROM smoke_events ORDER BY event_id`,
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual(rows.map((r) => ({ db: 'smoke', ...r })))
    const count = await client.query({
      query: 'SELECT count() AS n FROM smoke.smoke_events',
      format: 'JSONEachRow',
    })
    expect(await count.json()).toEqual([{ n: '3' }])
  })

  it('rejects a wrong password', async () => {
    const wrong = createClickHouse({ url: userUrl('wrong-pass'), dataDir: os.tmpdir() })
    try {
      await expect(wrong.query({ query: 'SELECT 1', format: 'JSONEachRow' })).rejects.toThrow(/password/i)
    } finally {
      await wrong.close()
    }
  })
})
