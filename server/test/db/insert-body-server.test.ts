import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import { createClickHouse } from '../../src/db/clickhouse/index.ts'
import { chdbRawInsert, encodeRows, insertBody } from '../../src/db/clickhouse/insert-body.ts'
import type { ClickHouseServer } from '../support/clickhouse-server.ts'
import { startClickHouseServer } from '../support/clickhouse-server.ts'

// The server path of an encoded insert: the body is the HTTP body of `INSERT ... FORMAT`, sent as it is.
// Debian's ClickHouse 18.16 has JSONEachRow (not JSONCompactEachRow) and no DateTime64, so the row is
// kept simple; the full schema round-trip runs on chdb (insert-format.test.ts).
let server: ClickHouseServer | undefined
let ch: ClickHouseClient

beforeAll(async () => {
  server = await startClickHouseServer()
  ch = createClickHouse({ url: server.url, dataDir: os.tmpdir() })
})

afterAll(async () => {
  await ch?.close()
  await server?.stop()
})

describe('encoded insert over HTTP', () => {
  it('is not taken for chdb, and the rows come back equal, more than one slice of them', async () => {
    expect(chdbRawInsert(ch)).toBeNull()
    await ch.command({
      query: `CREATE TABLE IF NOT EXISTS body_rows (id UInt32, name String, value Float64)
        ENGINE = MergeTree() ORDER BY id`,
    })
    const rows = Array.from({ length: 700 }, (_, i) => ({
      id: i,
      name: `n "${i}"\n\t\u00e9\u4e2d\\`,
      value: i / 3,
    }))
    const { body, rows: n } = await encodeRows(rows, (r) => JSON.stringify(r))
    expect(n).toBe(700)
    // No name: 18.16 has no log_comment setting.
    await insertBody(ch, { name: '', table: 'body_rows', format: 'JSONEachRow', body })
    const rs = await ch.query({
      query: 'SELECT id, name, value FROM body_rows ORDER BY id',
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual(rows)
  })
})
