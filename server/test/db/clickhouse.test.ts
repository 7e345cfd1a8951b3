import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import {
  createClickHouse,
  describeClickHouse,
  insertExchanges,
  insertScores,
  listExchanges,
  migrateClickHouse,
  readMigrations,
} from '../../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { overview } from '../../src/metrics/overview.ts'
import type { ScoreRow } from '../../src/scoring/scorer.ts'

/** The dashboard's overview query, called as the removed test-only SQL was. */
const overviewTimeSeries =
  (ch: ClickHouseClient) => (q: { projectId: string; from: Date; to: Date; stepSeconds: number }) =>
    overview({ ctx: { ch }, input: { projectId: q.projectId, from: q.from, to: q.to, step: q.stepSeconds } })

const MIGRATIONS = fileURLToPath(new URL('../../../migrations/clickhouse', import.meta.url))
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
    request: [{ role: 'user', content: 'hello' }],
    prompt: 'hello',
    responseText: 'hi there',
    tools: [],
    usageFromUpstream: true,
    costUsd: 0.25,
    toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{"q":1}' }],
    finishReason: 'stop',
    tags: { user: 'u1', session: 's1', feature: 'chat', policyVersion: 'p1', extra: { team: 'core' } },
    sources: [{ id: 'doc1', text: 'source text' }],
    errorMessage: '',
    // T0 is in the past: rows older than their retention are dropped by the TTL at insert.
    retentionDays: 3650,
    ...overrides,
  }
}

function score(
  ex: ExchangeRecord,
  name: string,
  value: number,
  label = '',
  scorerVersion = '1',
): ScoreRow & { retentionDays: number } {
  const base = { eventId: ex.eventId, projectId: ex.projectId, time: ex.time, retentionDays: 3650 }
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
    const files = await readMigrations(MIGRATIONS)
    const first = await migrateClickHouse(ch, { log: (m) => logs.push(m) })
    expect(first.applied).toEqual(files.map((f) => `${String(f.version).padStart(3, '0')}_${f.name}`))
    expect(first.applied.slice(0, 5)).toEqual([
      '001_raw_responses',
      '002_scores',
      '003_raw_responses_tools_usage',
      '004_retention',
      '005_insert_dedup',
    ])
    expect(logs).toHaveLength(files.length)
    expect((await migrateClickHouse(ch)).applied).toEqual([])
    const rs = await ch.query({
      query: 'SELECT version, name, length(checksum) AS len FROM schema_migrations ORDER BY version',
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual(files.map((f) => ({ version: f.version, name: f.name, len: 64 })))
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

  it("comments every column of every table (views carry their target table's comments)", async () => {
    const rs = await ch.query({
      query: `SELECT table, count() AS columns, countIf(comment = '') AS uncommented FROM system.columns
        WHERE database = currentDatabase() AND table IN (SELECT name FROM system.tables
          WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView', 'View'))
        GROUP BY table ORDER BY table`,
      format: 'JSONEachRow',
    })
    const rows = (await rs.json()) as { table: string; columns: string; uncommented: string }[]
    expect(rows.map((r) => r.table)).toEqual(
      expect.arrayContaining(['raw_responses_v1', 'schema_migrations', 'scores_v1']),
    )
    for (const r of rows) expect([r.table, Number(r.uncommented)]).toEqual([r.table, 0])
    expect(Number(rows.find((r) => r.table === 'raw_responses_v1')?.columns)).toBe(37)
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
    await expect(overviewTimeSeries(ch)(bad)).rejects.toThrow(/`from` must be before `to`/)
  })
})

describe('retention TTL and insert deduplication', () => {
  const count = async (projectId: string, final = false) => {
    const rs = await ch.query({
      query: `SELECT count() AS n FROM raw_responses_v1 ${final ? 'FINAL' : ''} WHERE project_id = {p:String}`,
      query_params: { p: projectId },
      format: 'JSONEachRow',
    })
    return Number(((await rs.json()) as Array<{ n: string }>)[0]?.n)
  }

  it('keeps each row for its own retention: an exchange older than its retention is never stored', async () => {
    const tenDaysAgo = Date.now() - 10 * 86_400_000
    await insertExchanges(ch)([
      exchange({ projectId: 'proj-ttl', time: tenDaysAgo, retentionDays: 5 }),
      exchange({ projectId: 'proj-ttl', time: tenDaysAgo, retentionDays: 30 }),
      exchange({ projectId: 'proj-ttl', time: tenDaysAgo, retentionDays: undefined }),
    ])
    const rs = await ch.query({
      query:
        "SELECT retention_days FROM raw_responses_v1 WHERE project_id = 'proj-ttl' ORDER BY retention_days",
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([{ retention_days: 30 }, { retention_days: 90 }])
    const tables = await ch.query({
      query: `SELECT name, engine_full FROM system.tables WHERE database = currentDatabase()
        AND name IN ('raw_responses_v1', 'scores_v1') ORDER BY name`,
      format: 'JSONEachRow',
    })
    for (const t of (await tables.json()) as Array<{ engine_full: string }>) {
      expect(t.engine_full).toContain('TTL toDateTime(time) + toIntervalDay(retention_days)')
      expect(t.engine_full).toContain('non_replicated_deduplication_window = 1000')
    }
  })

  it('drops a repeated insert with the same token, and only that one', async () => {
    await ch.command({ query: 'SYSTEM STOP MERGES raw_responses_v1' })
    try {
      const batch = [exchange({ projectId: 'proj-token' }), exchange({ projectId: 'proj-token' })]
      await insertExchanges(ch)(batch, { dedupToken: 'batch-1' })
      await insertExchanges(ch)(batch, { dedupToken: 'batch-1' })
      expect(await count('proj-token')).toBe(2)
      // Another token is another batch, even with the same rows (ReplacingMergeTree collapses those).
      await insertExchanges(ch)(batch, { dedupToken: "batch-2'" })
      expect(await count('proj-token')).toBe(4)
      expect(await count('proj-token', true)).toBe(2)
      // A token never leaks into the session: a later insert without one is stored.
      await insertExchanges(ch)([exchange({ projectId: 'proj-token' })])
      expect(await count('proj-token')).toBe(5)
    } finally {
      await ch.command({ query: 'SYSTEM START MERGES raw_responses_v1' })
    }
  })

  it('skips invalid rows through onInvalid instead of failing the whole insert', async () => {
    const bad: number[] = []
    await insertExchanges(ch)(
      [exchange({ projectId: 'proj-skip' }), exchange({ projectId: 'proj-skip', eventId: 'nope' })],
      { onInvalid: (i) => bad.push(i) },
    )
    expect(bad).toEqual([1])
    expect(await count('proj-skip')).toBe(1)
  })
})
