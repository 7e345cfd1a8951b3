import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClickHouseClient,
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
} from '../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../src/ingest/exchange.ts'
import { createPipeline } from '../src/ingest/pipeline.ts'
import { type Scorer, syncScorer } from '../src/scoring/scorer.ts'

function exchange(prompt: string, overrides: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    eventId: randomUUID(),
    projectId: 'proj-pipe',
    time: Date.now(),
    endpoint: 'chat.completions',
    route: 'default',
    upstream: 'test',
    model: 'm',
    stream: false,
    status: 200,
    outcome: 'ok',
    latencyMs: 12,
    ttftMs: 5,
    usage: { promptTokens: 3, completionTokens: 4, cachedTokens: 0 },
    requestJson: '[]',
    prompt,
    responseText: `answer to ${prompt}`,
    toolsJson: '',
    usageFromUpstream: true,
    costUsd: 0,
    toolCalls: [],
    finishReason: 'stop',
    tags: { user: '', session: '', feature: '', policyVersion: '', extra: {} },
    sources: [],
    errorMessage: '',
    ...overrides,
  }
}

const lengthScorer: Scorer = syncScorer('length', '1', (ex) => [
  { name: 'length', value: ex.response.length },
  { name: 'ratio', value: ex.prompt === 'nan' ? Number.NaN : 1 },
])
const brokenScorer: Scorer = syncScorer('broken', '1', () => {
  throw new Error('boom')
})

/** One bad row or one bad scorer must never block the rows around it (real chdb). */
describe('ingest pipeline on embedded ClickHouse', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-pipe-'))
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
    const pipeline = createPipeline({
      writeExchanges: insertExchanges(ch),
      writeScores: insertScores(ch),
      scorers: [lengthScorer, brokenScorer],
      log: (level, msg) => logs.push(`${level} ${msg}`),
      flushIntervalMs: 10,
    })
    const good = [exchange('a'), exchange('nan'), exchange('c')]
    const bad = exchange('bad', { usage: { promptTokens: -1, completionTokens: 1, cachedTokens: 0 } })
    pipeline.record(good[0] as ExchangeRecord)
    pipeline.record(bad)
    pipeline.record(good[1] as ExchangeRecord)
    pipeline.record(good[2] as ExchangeRecord)
    await pipeline.flush()

    const stats = pipeline.stats()
    expect(stats).toMatchObject({ queued: 0, written: 3, invalid: 1, writeErrors: 0 })
    const rows = await ch.query({
      query: 'SELECT prompt FROM raw_responses_v1 FINAL WHERE project_id = {p:String} ORDER BY prompt',
      query_params: { p: 'proj-pipe' },
      format: 'JSONEachRow',
    })
    expect(((await rows.json()) as Array<{ prompt: string }>).map((r) => r.prompt)).toEqual(['a', 'c', 'nan'])
    const scores = await ch.query({
      query:
        'SELECT name, count() AS n FROM scores_v1 FINAL WHERE project_id = {p:String} GROUP BY name ORDER BY name',
      query_params: { p: 'proj-pipe' },
      format: 'JSONEachRow',
    })
    const counts = ((await scores.json()) as Array<{ name: string; n: number | string }>).map((r) => [
      r.name,
      Number(r.n),
    ])
    // Scoring follows a successful write, so the dropped row has no scores; `ratio` skips the NaN one.
    expect(counts).toEqual([
      ['length', 3],
      ['ratio', 2],
    ])
    expect(logs.some((l) => l.includes('dropping an invalid exchange row'))).toBe(true)
    expect(logs.some((l) => l.includes('non-finite'))).toBe(true)
    expect(logs.some((l) => l.includes('scorer failed'))).toBe(true)
    await pipeline.close()
  })
})
