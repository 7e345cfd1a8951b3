import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClickHouseClient,
  createClickHouse,
  type InsertOptions,
  insertExchanges,
  insertScores,
  migrateClickHouse,
  type ScoreInsertInput,
} from '../../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { createPipeline, type Pipeline, type PipelineDeps } from '../../src/ingest/pipeline.ts'
import { Spool } from '../../src/ingest/spool/index.ts'
import { syncScorer } from '../../src/scoring/scorer.ts'
import { counts, exchange, tempDir } from '../support/ingest-fixtures.ts'
import { eventually } from '../support/leash.ts'

const lengthScorer = syncScorer('length', '1', (ex) => [{ name: 'length', value: ex.response.length }])

/** The real ClickHouse writers behind a switch that fails like an unreachable server. */
function switchable(ch: ClickHouseClient) {
  const state = { down: false, scoresDown: false, exchangeInserts: 0 }
  const ex = insertExchanges(ch)
  const sc = insertScores(ch)
  const unavailable = () => new Error('connect ECONNREFUSED 127.0.0.1:8123 (ClickHouse unavailable)')
  return {
    state,
    writeExchanges: async (records: ExchangeRecord[], opts?: InsertOptions) => {
      if (state.down) throw unavailable()
      await ex(records, opts)
      state.exchangeInserts++
    },
    writeScores: async (rows: ScoreInsertInput[], opts?: InsertOptions) => {
      if (state.down || state.scoresDown) throw unavailable()
      await sc(rows, opts)
    },
  }
}

let root: string
let ch: ClickHouseClient
beforeAll(async () => {
  root = tempDir('leash-ingest-')
  ch = createClickHouse({ dataDir: root })
  await migrateClickHouse(ch)
})
afterAll(async () => {
  await ch.close()
  fs.rmSync(root, { recursive: true, force: true })
})

async function pipelineFor(
  spool: string,
  writer: ReturnType<typeof switchable>,
  extra: Partial<PipelineDeps> = {},
): Promise<{ pipeline: Pipeline; logs: string[] }> {
  const logs: string[] = []
  const pipeline = await createPipeline({
    writeExchanges: writer.writeExchanges,
    writeScores: writer.writeScores,
    scorers: [lengthScorer],
    log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
    spoolDir: path.join(root, spool),
    batchSize: 200,
    batchIntervalMs: 20,
    spoolSyncIntervalMs: 5,
    retryMinMs: 20,
    retryMaxMs: 100,
    closeTimeoutMs: 200,
    ...extra,
  })
  return { pipeline, logs }
}

function traffic(projectId: string, n: number, from = 0): ExchangeRecord[] {
  return Array.from({ length: n }, (_, i) => exchange({ projectId }, from + i))
}

async function merges(what: 'STOP' | 'START'): Promise<void> {
  for (const table of ['raw_responses_v1', 'scores_v1'])
    await ch.command({ query: `SYSTEM ${what} MERGES ${table}` })
}

async function scoreCount(projectId: string): Promise<number> {
  const rs = await ch.query({
    query: 'SELECT count() AS n FROM scores_v1 FINAL WHERE project_id = {p:String}',
    query_params: { p: projectId },
    format: 'JSONEachRow',
  })
  return Number(((await rs.json()) as Array<{ n: string }>)[0]?.n)
}

describe('ingest through the spool into ClickHouse', () => {
  it('outage: traffic keeps flowing into the spool, and every row lands exactly once when ClickHouse is back', async () => {
    const writer = switchable(ch)
    writer.state.down = true
    const { pipeline, logs } = await pipelineFor('outage', writer, { retryMinMs: 100, retryMaxMs: 100 })
    // About a second of traffic: ten bursts of 100, each fsynced while ClickHouse is down.
    const started = Date.now()
    const all = traffic('p-outage', 1000)
    for (let i = 0; i < 10; i++) {
      for (const ex of all.slice(i * 100, i * 100 + 100)) pipeline.record(ex)
      await new Promise((r) => setTimeout(r, 100))
    }
    await eventually(async () => (pipeline.status().insert.errors >= 3 ? true : undefined))
    const during = pipeline.status()
    // Retries follow the backoff (one per 100 ms here), not every spool fsync.
    expect(during.insert.errors).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 2)
    expect(during.spool.records).toBe(1000)
    expect(during.spool.segments).toBeGreaterThanOrEqual(1)
    // The first burst was spooled about a second ago and is still waiting.
    expect(during.spool.oldestAgeMs).toBeGreaterThanOrEqual(Date.now() - started - 250)
    expect(during.spool.oldestAgeMs).toBeLessThanOrEqual(Date.now() - started + 50)
    expect(during.insert.written).toBe(0)
    expect(during.insert.lastError).toMatch(/ClickHouse unavailable/)
    expect(logs.filter((l) => l.includes('inserting exchanges failed')).length).toBeGreaterThanOrEqual(1)
    expect(await counts(ch, 'raw_responses_v1', 'p-outage')).toEqual({ rows: 0, unique: 0, final: 0 })

    writer.state.down = false
    for (const ex of traffic('p-outage', 500, 1000)) pipeline.record(ex)
    await pipeline.flush()
    expect(await counts(ch, 'raw_responses_v1', 'p-outage')).toEqual({
      rows: 1500,
      unique: 1500,
      final: 1500,
    })
    expect(await scoreCount('p-outage')).toBe(1500)
    expect(pipeline.status().spool).toMatchObject({ records: 0, bytes: 0, droppedNew: 0, droppedOld: 0 })
    expect(pipeline.status().insert).toMatchObject({ written: 1500, scored: 1500 })
    await pipeline.close()
  })

  it('restart: what was spooled before close (ClickHouse down) is delivered by the next process, once', async () => {
    const writer = switchable(ch)
    const first = await pipelineFor('restart', writer)
    for (const ex of traffic('p-restart', 300)) first.pipeline.record(ex)
    await first.pipeline.flush()
    writer.state.down = true
    for (const ex of traffic('p-restart', 400, 300)) first.pipeline.record(ex)
    await first.pipeline.close()
    expect(first.pipeline.stats().queued).toBe(400)
    expect(await counts(ch, 'raw_responses_v1', 'p-restart')).toEqual({ rows: 300, unique: 300, final: 300 })

    writer.state.down = false
    const second = await pipelineFor('restart', writer)
    for (const ex of traffic('p-restart', 300, 700)) second.pipeline.record(ex)
    await second.pipeline.flush()
    expect(await counts(ch, 'raw_responses_v1', 'p-restart')).toEqual({
      rows: 1000,
      unique: 1000,
      final: 1000,
    })
    expect(await scoreCount('p-restart')).toBe(1000)
    expect(second.logs.some((l) => l.includes('re-delivering records left from the last run'))).toBe(true)
    await second.pipeline.close()
  })

  it('duplicate delivery: a crash after the insert but before the commit re-sends the batch; insert dedup drops it', async () => {
    // No background merge may hide a duplicate: the exact count() below comes from insert deduplication.
    await merges('STOP')
    const writer = switchable(ch)
    writer.state.scoresDown = true
    const first = await pipelineFor('dup-token', writer, { batchSize: 1000 })
    for (const ex of traffic('p-dup-token', 500)) first.pipeline.record(ex)
    await eventually(async () => (writer.state.exchangeInserts >= 1 ? true : undefined))
    await first.pipeline.close() // "crash": the offset was never committed
    expect(first.pipeline.stats().queued).toBe(500)
    expect(await counts(ch, 'raw_responses_v1', 'p-dup-token')).toEqual({
      rows: 500,
      unique: 500,
      final: 500,
    })

    writer.state.scoresDown = false
    const second = await pipelineFor('dup-token', writer, { batchSize: 1000 })
    await second.pipeline.flush()
    // Same batch, same token: ClickHouse dropped the repeated insert, so even count() without FINAL is exact.
    expect(await counts(ch, 'raw_responses_v1', 'p-dup-token')).toEqual({
      rows: 500,
      unique: 500,
      final: 500,
    })
    expect(await scoreCount('p-dup-token')).toBe(500)
    // A deduplicated insert is not pushed to materialized views either: the hourly rollup (when the
    // metrics migrations are present) counts each event once.
    const rollup = await ch.query({
      query: "SHOW TABLES LIKE 'responses_per_hour_v1'",
      format: 'JSONEachRow',
    })
    if (((await rollup.json()) as unknown[]).length === 1) {
      const rs = await ch.query({
        query: "SELECT sum(requests) AS n FROM responses_per_hour_v1 WHERE project_id = 'p-dup-token'",
        format: 'JSONEachRow',
      })
      expect(Number(((await rs.json()) as Array<{ n: string }>)[0]?.n)).toBe(500)
    }
    await second.pipeline.close()
    await merges('START')
  })

  it('duplicate delivery in different batches: ReplacingMergeTree keeps one row per event after merges', async () => {
    await merges('STOP')
    const writer = switchable(ch)
    writer.state.scoresDown = true
    const first = await pipelineFor('dup-merge', writer, { batchSize: 1000 })
    for (const ex of traffic('p-dup-merge', 500)) first.pipeline.record(ex)
    await eventually(async () => (writer.state.exchangeInserts >= 1 ? true : undefined))
    await first.pipeline.close()
    // Lose the in-flight marker, so the re-delivery is cut into other batches with other tokens.
    fs.rmSync(path.join(root, 'dup-merge', 'inflight'))
    writer.state.scoresDown = false
    const second = await pipelineFor('dup-merge', writer, { batchSize: 100 })
    await second.pipeline.flush()
    await second.pipeline.close()
    // Other batches, other tokens: both copies are stored until a merge; FINAL already reads one.
    expect(await counts(ch, 'raw_responses_v1', 'p-dup-merge')).toEqual({
      rows: 1000,
      unique: 500,
      final: 500,
    })
    await merges('START')
    await ch.command({ query: 'OPTIMIZE TABLE raw_responses_v1 FINAL' })
    await ch.command({ query: 'OPTIMIZE TABLE scores_v1 FINAL' })
    expect(await counts(ch, 'raw_responses_v1', 'p-dup-merge')).toEqual({
      rows: 500,
      unique: 500,
      final: 500,
    })
    const scores = await counts(ch, 'scores_v1', 'p-dup-merge')
    expect(scores).toEqual({ rows: 500, unique: 500, final: 500 })
  })

  it('torn write: a torn last record is skipped with a log line and every other record is delivered', async () => {
    const dir = path.join(root, 'torn')
    const spool = await Spool.open<ExchangeRecord>({ dir, log: () => {} })
    const records = traffic('p-torn', 50)
    for (const ex of records) spool.append(ex)
    await spool.close()
    const seg = fs.readdirSync(dir).find((f) => f.endsWith('.seg')) as string
    const file = path.join(dir, seg)
    const size = fs.statSync(file).size
    fs.truncateSync(file, size - 7)

    const writer = switchable(ch)
    const { pipeline, logs } = await pipelineFor('torn', writer)
    await pipeline.flush()
    const torn = logs.filter((l) => l.includes('torn record'))
    expect(torn).toHaveLength(1)
    expect(torn[0]).toMatch(/segment 1 at offset \d+/)
    expect(pipeline.status().torn).toBe(1)
    expect(await counts(ch, 'raw_responses_v1', 'p-torn')).toEqual({ rows: 49, unique: 49, final: 49 })
    const rs = await ch.query({
      query: "SELECT toString(event_id) AS id FROM raw_responses_v1 WHERE project_id = 'p-torn'",
      format: 'JSONEachRow',
    })
    const stored = new Set(((await rs.json()) as Array<{ id: string }>).map((r) => r.id))
    expect(records.filter((r) => !stored.has(r.eventId)).map((r) => r.eventId)).toEqual([
      records[49]?.eventId,
    ])
    await pipeline.close()
  })

  it('full spool (drop_new): record() never throws, the drop counter is exact, the accepted rows land', async () => {
    const writer = switchable(ch)
    writer.state.down = true
    // Identical sizes (same text, same-length ids, same time), so exactly ten fit.
    const NOW = Date.now()
    const records = Array.from({ length: 15 }, () => exchange({ projectId: 'p-full', time: NOW }, 0))
    const frame = 8 + Buffer.byteLength(JSON.stringify(records[0]))
    const { pipeline, logs } = await pipelineFor('full', writer, { spoolMaxBytes: Math.floor(10.5 * frame) })
    for (const ex of records) expect(() => pipeline.record(ex)).not.toThrow()
    const s = pipeline.status().spool
    expect(s).toMatchObject({
      records: 10,
      droppedNew: 5,
      droppedOld: 0,
      full: true,
      nearFull: true,
      policy: 'drop_new',
    })
    expect(pipeline.stats().dropped).toBe(5)
    expect(logs.filter((l) => l.includes('spool FULL'))).toHaveLength(1)
    writer.state.down = false
    await pipeline.flush()
    expect(await counts(ch, 'raw_responses_v1', 'p-full')).toEqual({ rows: 10, unique: 10, final: 10 })
    const rs = await ch.query({
      query: "SELECT toString(event_id) AS id FROM raw_responses_v1 WHERE project_id = 'p-full' ORDER BY id",
      format: 'JSONEachRow',
    })
    expect(((await rs.json()) as Array<{ id: string }>).map((r) => r.id)).toEqual(
      records
        .slice(0, 10)
        .map((r) => r.eventId)
        .sort(),
    )
    await pipeline.close()
  })
})
