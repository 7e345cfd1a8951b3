import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type ClickHouseClient, createClickHouse } from '../../src/db/clickhouse/index.ts'
import { defineQuery } from '../../src/db/clickhouse/query.ts'
import { LeashError } from '../../src/errors.ts'

let dataDir: string
let ch: ClickHouseClient

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-query-'))
  ch = createClickHouse({ dataDir })
})

afterAll(async () => {
  await ch.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('defineQuery', () => {
  it('sends its name as log_comment (what system.query_log records) and checks params and rows', async () => {
    const probe = defineQuery({
      name: 'probe_log_comment',
      params: z.object({ a: z.number().int() }),
      row: z.object({ comment: z.string(), x: z.coerce.number() }),
      sql: "SELECT getSetting('log_comment') AS comment, {a:UInt32} + 1 AS x",
    })
    expect(await probe(ch)({ a: 41 })).toEqual([{ comment: 'probe_log_comment', x: 42 }])
    await expect(probe(ch)({ a: 1.5 })).rejects.toThrow()
  })

  it('leaves an engine error as it is: only an unreachable engine is storage_unavailable', async () => {
    const broken = defineQuery({
      name: 'broken',
      params: z.object({}),
      row: z.object({}),
      sql: 'SELECT nope()',
    })
    const err = await broken(ch)({}).catch((e: unknown) => e)
    expect(err).not.toBeInstanceOf(LeashError)
    const away = createClickHouse({ url: 'http://127.0.0.1:9', dataDir })
    const down = await broken(away)({}).catch((e: unknown) => e)
    await away.close()
    expect(down).toBeInstanceOf(LeashError)
    expect((down as LeashError).code).toBe('storage_unavailable')
  })
})
