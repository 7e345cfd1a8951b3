import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prometheusText } from '../../src/api/routes/ingest.ts'
import {
  type ClickHouseClient,
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
} from '../../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { createPipeline } from '../../src/ingest/pipeline.ts'
import { exchange, tempDir } from '../support/ingest-fixtures.ts'

async function rows<T>(ch: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await ch.query({ query, format: 'JSONEachRow' })
  return (await rs.json()) as T[]
}

async function until(fn: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** One string must never stop recording (issue 11, item 2): real chdb, real spool. */
describe('text ClickHouse cannot take, and poison rows', () => {
  const dir = tempDir('leash-poison-')
  let ch: ClickHouseClient
  beforeAll(async () => {
    ch = createClickHouse({ dataDir: dir })
    await migrateClickHouse(ch)
  })
  afterAll(async () => {
    await ch.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('stores records with lone surrogates (made well-formed) and everything after them', async () => {
    const logs: string[] = []
    const pipeline = await createPipeline({
      writeExchanges: insertExchanges(ch),
      writeScores: insertScores(ch),
      scorers: [],
      log: (level, msg, f) => logs.push(`${level} ${msg} ${JSON.stringify(f ?? {})}`),
      spoolDir: path.join(dir, 'spool-surrogate'),
      batchIntervalMs: 10,
      retryMinMs: 20,
    })
    const p = { projectId: 'proj-surrogate' }
    for (let i = 0; i < 20; i++) {
      const bad = i % 7 === 3
      pipeline.record(
        exchange({
          ...p,
          prompt: bad ? `p${i} \ud800` : `p${i}`,
          responseText: bad ? '\udfff reply' : 'reply',
          tags: { user: bad ? 'u\ud83d' : 'u', session: '', feature: '', policyVersion: '', extra: {} },
        }),
      )
    }
    await pipeline.flush()
    const stored = await rows<{ prompt: string; response_text: string; user_id: string }>(
      ch,
      "SELECT prompt, response_text, user_id FROM raw_responses_v1 FINAL WHERE project_id = 'proj-surrogate'",
    )
    stored.sort((a, b) => Number(/\d+/.exec(a.prompt)?.[0]) - Number(/\d+/.exec(b.prompt)?.[0]))
    expect(stored).toHaveLength(20)
    expect(stored[3]).toEqual({ prompt: 'p3 \uFFFD', response_text: '\uFFFD reply', user_id: 'u\uFFFD' })
    expect(pipeline.status().insert).toMatchObject({ written: 20, deadLettered: 0, errors: 0 })
    await pipeline.close()
  })

  it('moves a row the store refuses on its own to the dead-letter file and keeps the rest flowing', async () => {
    const logs: string[] = []
    const spoolDir = path.join(dir, 'spool-poison')
    const real = insertExchanges(ch)
    // Something the sanitiser does not know: the row reaches the real ClickHouse with a lone surrogate.
    const pipeline = await createPipeline({
      writeExchanges: (records, opts) =>
        real(
          records.map((r) => (r.prompt.startsWith('POISON') ? { ...r, prompt: 'x\ud800' } : r)),
          opts,
        ),
      writeScores: insertScores(ch),
      scorers: [],
      log: (level, msg, f) => logs.push(`${level} ${msg} ${JSON.stringify(f ?? {})}`),
      spoolDir,
      batchIntervalMs: 50,
      retryMinMs: 10,
      retryMaxMs: 50,
    })
    const p = { projectId: 'proj-poison' }
    const all: ExchangeRecord[] = []
    for (let i = 0; i < 40; i++) {
      const r = exchange({ ...p, prompt: i === 7 || i === 23 ? `POISON ${i}` : `ok ${i}` })
      all.push(r)
      pipeline.record(r)
    }
    await until(() => pipeline.stats().written + pipeline.stats().deadLettered >= 40)
    // Later traffic flows on.
    for (let i = 40; i < 50; i++) pipeline.record(exchange({ ...p, prompt: `ok ${i}` }))
    await until(() => pipeline.stats().written >= 48)
    await pipeline.close()

    const [{ n }] = (await rows<{ n: string }>(
      ch,
      "SELECT count() AS n FROM raw_responses_v1 FINAL WHERE project_id = 'proj-poison'",
    )) as [{ n: string }]
    expect(Number(n)).toBe(48)
    const s = pipeline.status()
    expect(s.insert).toMatchObject({ written: 48, deadLettered: 2 })
    const dead = fs
      .readFileSync(path.join(spoolDir, 'dead-letter.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; error: string; row: ExchangeRecord })
    expect(dead.map((d) => d.row.eventId).sort()).toEqual([all[7]?.eventId, all[23]?.eventId].sort())
    expect(dead[0]?.error).toMatch(/surrogate/)
    expect(prometheusText(s)).toContain('leash_ingest_dead_lettered_total 2\n')
    expect(logs.filter((l) => l.includes('dead-letter file'))).toHaveLength(2)
  })
})
