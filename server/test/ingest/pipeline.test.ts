import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClickHouseClient,
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
} from '../../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { createPipeline } from '../../src/ingest/pipeline.ts'
import { type Scorer, syncScorer } from '../../src/scoring/scorer.ts'
import { exchange, tempDir } from '../support/ingest-fixtures.ts'

const lengthScorer: Scorer = syncScorer('length', '1', (ex) => [
  { name: 'length', value: ex.response.length },
  { name: 'ratio', value: ex.prompt === 'nan' ? Number.NaN : 1 },
])
const brokenScorer: Scorer = syncScorer('broken', '1', () => {
  throw new Error('boom')
})

async function rows<T>(ch: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await ch.query({ query, format: 'JSONEachRow' })
  return (await rs.json()) as T[]
}

/** One bad row or one bad scorer must never block the rows around it (real chdb, real spool). */
describe('ingest pipeline on embedded ClickHouse', () => {
  const dir = tempDir('leash-pipe-')
  let ch: ClickHouseClient
  beforeAll(async () => {
    ch = createClickHouse({ dataDir: dir })
    await migrateClickHouse(ch)
  })
  afterAll(async () => {
    await ch.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('drops an invalid row and a non-finite score, writes the rest, and does not retry forever', async () => {
    const logs: string[] = []
    const pipeline = await createPipeline({
      writeExchanges: insertExchanges(ch),
      writeScores: insertScores(ch),
      scorers: [lengthScorer, brokenScorer],
      log: (level, msg) => logs.push(`${level} ${msg}`),
      spoolDir: path.join(dir, 'spool-a'),
      batchIntervalMs: 10,
      retentionFor: (p) => (p === 'proj-pipe' ? 30 : undefined),
    })
    const p = { projectId: 'proj-pipe' }
    const good = [
      exchange({ ...p, prompt: 'a' }),
      exchange({ ...p, prompt: 'nan' }),
      exchange({ ...p, prompt: 'c' }),
    ]
    const bad = exchange({
      ...p,
      prompt: 'bad',
      usage: { promptTokens: -1, completionTokens: 1, cachedTokens: 0 },
    })
    pipeline.record(good[0] as ExchangeRecord)
    pipeline.record(bad)
    pipeline.record(good[1] as ExchangeRecord)
    pipeline.record(good[2] as ExchangeRecord)
    await pipeline.flush()

    expect(pipeline.stats()).toMatchObject({ queued: 0, written: 3, invalid: 1, writeErrors: 0, dropped: 0 })
    const stored = await rows<{ prompt: string; retention_days: number; usage_source: string }>(
      ch,
      "SELECT prompt, retention_days, usage_source FROM raw_responses_v1 FINAL WHERE project_id = 'proj-pipe' ORDER BY prompt",
    )
    expect(stored).toEqual(
      ['a', 'c', 'nan'].map((prompt) => ({ prompt, retention_days: 30, usage_source: 'upstream' })),
    )
    const scores = await rows<{ name: string; n: string; model: string; days: number }>(
      ch,
      `SELECT name, count() AS n, any(model) AS model, any(retention_days) AS days FROM scores_v1 FINAL
       WHERE project_id = 'proj-pipe' GROUP BY name ORDER BY name`,
    )
    // Scoring follows a successful write, so the dropped row has no scores; `ratio` skips the NaN one.
    expect(scores.map((r) => [r.name, Number(r.n), r.model, r.days])).toEqual([
      ['length', 3, 'm', 30],
      ['ratio', 2, 'm', 30],
    ])
    expect(logs.some((l) => l.includes('dropping an invalid exchange row'))).toBe(true)
    expect(logs.some((l) => l.includes('non-finite'))).toBe(true)
    expect(logs.some((l) => l.includes('scorer failed'))).toBe(true)
    const status = pipeline.status()
    expect(status.spool).toMatchObject({
      records: 0,
      bytes: 0,
      droppedNew: 0,
      droppedOld: 0,
      policy: 'drop_new',
    })
    expect(status.insert).toMatchObject({ written: 3, scored: 5, invalid: 1, errors: 0, lastError: null })
    expect(status.insert.rowsPerSecond).toBeGreaterThan(0)
    await pipeline.close()
  })

  it('stamps the default retention and the declared tools and usage origin', async () => {
    const pipeline = await createPipeline({
      writeExchanges: insertExchanges(ch),
      writeScores: insertScores(ch),
      scorers: [],
      log: () => {},
      spoolDir: path.join(dir, 'spool-b'),
      batchIntervalMs: 10,
    })
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: {} } }]
    pipeline.record(exchange({ projectId: 'proj-cols', prompt: 'x', tools, usageFromUpstream: false }))
    pipeline.record(exchange({ projectId: 'proj-cols', prompt: 'y', usage: null, retentionDays: 7 }))
    await pipeline.flush()
    await pipeline.close()
    expect(
      await rows(
        ch,
        "SELECT prompt, tools, usage_source, retention_days FROM raw_responses_v1 FINAL WHERE project_id = 'proj-cols' ORDER BY prompt",
      ),
    ).toEqual([
      { prompt: 'x', tools: JSON.stringify(tools), usage_source: 'local', retention_days: 90 },
      { prompt: 'y', tools: '', usage_source: 'none', retention_days: 7 },
    ])
  })
})
