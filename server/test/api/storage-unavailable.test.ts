import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../../src/api/app.ts'
import { bootstrap } from '../../src/auth/index.ts'
import { type ClickHouseClient, createClickHouse } from '../../src/db/clickhouse/index.ts'
import { openPostgres, type Postgres } from '../../src/db/postgres/index.ts'
import { ADMIN_TOKEN } from '../support/leash.ts'

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('a ClickHouse outage', () => {
  let dataDir: string
  let pg: Postgres
  let ch: ClickHouseClient

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-outage-'))
    pg = await openPostgres({ dataDir })
    await pg.migrate()
    await bootstrap(pg.db, { adminToken: ADMIN_TOKEN, adminEmail: 'admin@example.test' }, dataDir)
    ch = createClickHouse({ url: `http://127.0.0.1:${await closedPort()}`, dataDir })
  })

  afterAll(async () => {
    await Promise.allSettled([ch.close(), pg.close()])
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('is answered 503 storage_unavailable, not 500 internal', async () => {
    const logs: string[] = []
    const app = createApi({ db: pg.db, ch, log: (_l, msg) => logs.push(msg), secureCookies: false })
    const res = await app.request('/api/exchanges', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(res.status).toBe(503)
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } }
    expect(body.error.code).toBe('storage_unavailable')
    expect(body.error.message).not.toContain('127.0.0.1')
    expect(body.error.requestId).toBeTruthy()
  })
})
