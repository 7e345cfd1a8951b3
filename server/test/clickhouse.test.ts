import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../src/db/clickhouse/index.ts'
import {
  createClickHouse,
  describeClickHouse,
  insertExchanges,
  insertScores,
  listExchanges,
  migrateClickHouse,
  overviewTimeSeries,
} from '../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../src/ingest/exchange.ts'
import type { ScoreRow } from '../src/scoring/scorer.ts'

const MIGRATIONS = fileURLToPath(new URL('../../migrations/clickhouse', import.meta.url))
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const SEC = 1000

function exchange(overrides: Partial<ExchangeRecord>): ExchangeRecord {
  return {
    eventId: randomUUID(),
    projectId: 'proj-a',
    time: T0,
    endpoint: 'chat.completions',
    route: '/v1/chat/completions',
    upstream: 'demo',
    model: 'gpt-test',
    stream: false,
    status: 200,
    outcome: 'ok',
    latencyMs: 100,
    ttftMs: 40,
    usage: { promptTokens: 12, completionTokens: 7, cachedTokens: 2 },
    requestJson: JSON.stringify([{ role: 'user', content: 'hello' }]),
    prompt: 'hello',
    responseText: 'hi there',
    toolsJson: '',
    usageFromUpstream: true,
    costUsd: 0.25,
    toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{"q":1}' }],
    finishReason: 'stop',
    tags: { user: 'u1', session: 's1', feature: 'chat', policyVersion: 'p1', extra: { team: 'core' } },
    sources: [{ id: 'doc1', text: 'source text' }],
    errorMessage: '',
    ...overrides,
  }
}

function score(ex: ExchangeRecord, name: string, value: number, label = '', scorerVersion = '1'): ScoreRow {
  const base = { eventId: ex.eventId, projectId: ex.projectId, time: ex.time }
  return { ...base, scorer: `${name}-scorer`, scorerVersion, name, value, label }
}

// Project A: ten exchanges 30 s apart from T0, plus one exactly at the series' `to` (excluded there).
const ERRORS: Record<number, Partial<ExchangeRecord>> = {
  3: { status: 500, outcome: 'upstream_error' },
  7: { status: 200, outcome: 'client_aborted' },
  8: { status: 429, outcome: 'upstream_error' },
}
const a = Array.from({ length: 10 }, (_, i) =>
  exchange({ time: T0 + i * 30 * SEC, latencyMs: 100 * (i + 1), responseText: `answer ${i}`, ...ERRORS[i] }),
)
a[1] = { ...(a[1] as ExchangeRecord), usage: null, ttftMs: null }
const late = exchange({ time: T0 + 420 * SEC, latencyMs: 5 })
// Project B shares the time range; any leak would change A's counts.
const b = Array.from({ length: 3 }, (_, i) =>
  exchange({ projectId: 'proj-b', time: T0 + (i * 20 + 5) * SEC, status: 500, outcome: 'upstream_error' }),
)
const REFUSAL = ['full', 'partial', 'none', 'none', 'none', 'none'] as const
const VALUE = { full: 1, partial: 0.5, none: 0 } as const

function at(i: number): ExchangeRecord {
  const ex = a[i]
  if (!ex) throw new Error(`no exchange ${i}`)
  return ex
}

let dir: string
let ch: ClickHouseClient

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leash-ch-'))
  ch = createClickHouse({ dataDir: dir })
})

afterAll(async () => {
  await ch?.close()
  await fs.rm(dir, { recursive: true, force: true })
})

describe('client options', () => {
  it('describes both engines without leaking a password', () => {
    expect(describeClickHouse({ dataDir: '/data' })).toBe('embedded chdb at /data/clickhouse')
    const url = 'http://leash:s3cret@ch.internal:8123/?database=metrics'
    expect(describeClickHouse({ url, dataDir: '/data' })).toBe(
      'server at http://leash@ch.internal:8123/metrics',
    )
    expect(describeClickHouse({ url, dataDir: '/data' })).not.toContain('s3cret')
  })

  it('refuses a non-default database on the embedded engine instead of ignoring it', () => {
    expect(() => createClickHouse({ dataDir: dir, database: 'other' })).toThrow(/CLICKHOUSE_URL/)
  })
})

describe('migrations', () => {
  it('apply in order, are recorded, and a re-run applies nothing', async () => {
    const logs: string[] = []
    const first = await migrateClickHouse(ch, { log: (m) => logs.push(m) })
    expect(first.applied).toEqual(['001_raw_responses', '002_scores'])
    expect(logs).toHaveLength(2)
    expect((await migrateClickHouse(ch)).applied).toEqual([])
    const rs = await ch.query({
      query: 'SELECT version, name, length(checksum) AS len FROM schema_migrations ORDER BY version',
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([
      { version: 1, name: 'raw_responses', len: 64 },
      { version: 2, name: 'scores', len: 64 },
    ])
  })

  it('fails loudly when an applied file was edited', async () => {
    const copy = await fs.mkdtemp(path.join(os.tmpdir(), 'leash-ch-mig-'))
    try {
      await fs.cp(MIGRATIONS, copy, { recursive: true })
      await fs.appendFile(path.join(copy, '002_scores.sql'), '\n-- edited\n')
      await expect(migrateClickHouse(ch, { dir: copy })).rejects.toThrow(
        /002_scores was changed after it was applied/,
      )
    } finally {
      await fs.rm(copy, { recursive: true, force: true })
    }
  })

  it('comments every column of every table', async () => {
    const rs = await ch.query({
      query: `SELECT table, count() AS columns, countIf(comment = '') AS uncommented FROM system.columns
        WHERE database = currentDatabase() GROUP BY table ORDER BY table`,
      format: 'JSONEachRow',
    })
    const rows = (await rs.json()) as { table: string; columns: string; uncommented: string }[]
    expect(rows.map((r) => r.table)).toEqual(['raw_responses_v1', 'schema_migrations', 'scores_v1'])
    for (const r of rows) expect([r.table, Number(r.uncommented)]).toEqual([r.table, 0])
    expect(Number(rows[0]?.columns)).toBe(30)
  })
})

describe('exchanges and scores', () => {
  beforeAll(async () => {
    await insertExchanges(ch)([...a, late])
    await insertExchanges(ch)(b)
    await insertExchanges(ch)(a.slice(0, 5)) // re-delivery: same event ids, separate part
    const scores = [
      ...REFUSAL.map((label, i) => score(at(i), 'refusal', VALUE[label], label)),
      ...a.map((ex, i) => score(ex, 'toxicity', i / 10)),
      ...b.map((ex) => score(ex, 'refusal', 1, 'full')),
    ]
    await insertScores(ch)(scores)
    await insertScores(ch)(scores) // re-delivery
    await new Promise((r) => setTimeout(r, 20))
    // A newer scorer version re-judges exchange 2; its latest label wins.
    await insertScores(ch)([score(at(2), 'refusal', 1, 'full', '2')])
  })

  it('lists a project newest first with no duplicates and no other project', async () => {
    const page = await listExchanges(ch)({ projectId: 'proj-a', limit: 4, offset: 0 })
    expect(page.total).toBe(11)
    expect(page.items.map((i) => i.id)).toEqual([late, at(9), at(8), at(7)].map((e) => e.eventId))
    const all = await listExchanges(ch)({ projectId: 'proj-a', limit: 100, offset: 0 })
    expect(all.items.map((i) => i.id)).toEqual([late, ...[...a].reverse()].map((e) => e.eventId))
    expect(new Set(all.items.map((i) => i.id)).size).toBe(11)
    expect(all.items.every((i) => i.projectId === 'proj-a')).toBe(true)
    const times = all.items.map((i) => Date.parse(i.time))
    expect(times).toEqual([...times].sort((x, y) => y - x))
    const other = await listExchanges(ch)({ projectId: 'proj-b', limit: 100, offset: 0 })
    expect(other.total).toBe(3)
    expect(other.items.map((i) => i.id).sort()).toEqual(b.map((e) => e.eventId).sort())
  })

  it('maps columns, usage and the latest score and label per name', async () => {
    const page = await listExchanges(ch)({ projectId: 'proj-a', limit: 3, offset: 8 })
    expect(page.items.map((i) => i.id)).toEqual([at(2), at(1), at(0)].map((e) => e.eventId))
    const [two, one, zero] = page.items
    expect(zero).toEqual({
      id: at(0).eventId,
      time: new Date(T0).toISOString(),
      projectId: 'proj-a',
      model: 'gpt-test',
      endpoint: 'chat.completions',
      stream: false,
      status: 200,
      outcome: 'ok',
      latencyMs: 100,
      ttftMs: 40,
      usage: { promptTokens: 12, completionTokens: 7, cachedTokens: 2 },
      prompt: 'hello',
      responseText: 'answer 0',
      finishReason: 'stop',
      toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{"q":1}' }],
      scores: { refusal: 1, toxicity: 0 },
      labels: { refusal: 'full' },
    })
    expect(one?.usage).toBeNull()
    expect(one?.ttftMs).toBeNull()
    expect(one?.labels).toEqual({ refusal: 'partial' })
    expect(two?.scores).toEqual({ refusal: 1, toxicity: 0.2 })
    expect(two?.labels).toEqual({ refusal: 'full' })
    const unscored = await listExchanges(ch)({ projectId: 'proj-a', limit: 1, offset: 0 })
    expect(unscored.items[0]?.scores).toEqual({})
  })

  it('builds the overview series with exact buckets, errors, refusal rate and empty buckets', async () => {
    const series = await overviewTimeSeries(ch)({
      projectId: 'proj-a',
      from: new Date(T0),
      to: new Date(T0 + 420 * SEC),
      stepSeconds: 60,
    })
    expect(series).toMatchObject({ from: new Date(T0).toISOString(), step: 60 })
    const t = (m: number) => new Date(T0 + m * 60 * SEC).toISOString()
    const empty = { requests: 0, errors: 0, refusal_rate: null, latency_p50: null, latency_p95: null }
    expect(series.points).toEqual([
      { t: t(0), requests: 2, errors: 0, refusal_rate: 1, latency_p50: 150, latency_p95: 195 },
      { t: t(1), requests: 2, errors: 1, refusal_rate: 0.5, latency_p50: 350, latency_p95: 395 },
      { t: t(2), requests: 2, errors: 0, refusal_rate: 0, latency_p50: 550, latency_p95: 595 },
      { t: t(3), requests: 2, errors: 1, refusal_rate: null, latency_p50: 750, latency_p95: 795 },
      { t: t(4), requests: 2, errors: 1, refusal_rate: null, latency_p50: 950, latency_p95: 995 },
      { t: t(5), ...empty },
      { t: t(6), ...empty },
    ])
  })

  it('aligns buckets to the step and counts only the requested range', async () => {
    const series = await overviewTimeSeries(ch)({
      projectId: 'proj-b',
      from: new Date(T0 + 10 * SEC),
      to: new Date(T0 + 60 * SEC),
      stepSeconds: 30,
    })
    expect(series.points).toEqual([
      expect.objectContaining({ t: new Date(T0).toISOString(), requests: 1, errors: 1, refusal_rate: 1 }),
      expect.objectContaining({ t: new Date(T0 + 30 * SEC).toISOString(), requests: 1, errors: 1 }),
    ])
  })

  it('rejects invalid input instead of writing or querying it', async () => {
    await expect(insertExchanges(ch)([exchange({ eventId: 'not-a-uuid' })])).rejects.toThrow()
    const bad = { projectId: 'proj-a', from: new Date(T0), to: new Date(T0), stepSeconds: 60 }
    await expect(overviewTimeSeries(ch)(bad)).rejects.toThrow(/to must be after from/)
  })
})
