import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import {
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
  RawResponseInsertRow,
  ScoreInsertRow,
  toRawResponseRow,
  toScoreInsertRow,
} from '../../src/db/clickhouse/index.ts'
import { chdbRawInsert } from '../../src/db/clickhouse/insert-body.ts'
import type { ScoreInsertInput } from '../../src/db/clickhouse/queries/insert-scores.ts'
import { exchange, tempDir } from '../support/ingest-fixtures.ts'

/**
 * Rows go to ClickHouse as JSONCompactEachRow bodies encoded once (embedded: chdb's raw insert of the
 * bytes). What comes back must equal, column by column, the row the insert validated.
 */
let dir: string
let ch: ClickHouseClient

beforeAll(async () => {
  dir = tempDir('leash-insert-format-')
  ch = createClickHouse({ dataDir: dir })
  await migrateClickHouse(ch)
})

afterAll(async () => {
  await ch.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function select<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await ch.query({ query, query_params: params, format: 'JSONEachRow' })
  return (await rs.json()) as T[]
}

const RAW_COLS = Object.keys(RawResponseInsertRow.shape)
const SCORE_COLS = Object.keys(ScoreInsertRow.shape)

describe('insert format', () => {
  it('the embedded engine takes the encoded body as it is (raw insert)', () => {
    expect(chdbRawInsert(ch)).not.toBeNull()
  })

  it('exchange rows round-trip equal, text with quotes, newlines, tabs, unicode and JSON inside', async () => {
    const projectId = `rt-${randomUUID()}`
    const tricky =
      'a "quoted" \\ back\\slash,\nnew line\ttab \u00e9\u4e2d\ud83d\ude00 [1,2] {"k":"v"} \u0000 end'
    const records = Array.from({ length: 600 }, (_, i) =>
      exchange(
        {
          projectId,
          time: Date.UTC(2026, 5, 1, 0, 0, i),
          prompt: i % 2 ? tricky : `p${i}`,
          responseText: `${tricky} ${i}`,
          ttftMs: i % 3 === 0 ? null : 7.25,
          usage: i % 5 === 0 ? null : { promptTokens: i, completionTokens: 2 * i, cachedTokens: 1 },
          tags: { user: 'u"1', session: 's\n1', feature: 'f', policyVersion: 'p', extra: { k: tricky } },
          toolCalls: [{ id: 'c', name: 'n', arguments: '{"a":"\\"x\\""}' }],
          sources: [{ id: 'd', text: tricky }],
          retentionDays: 3650,
        },
        i,
      ),
    )
    // More rows than one encoding slice, so slices are joined correctly.
    await insertExchanges(ch)(records)
    const got = await select<Record<string, unknown>>(
      `SELECT ${RAW_COLS.map((c) => (c === 'time' ? 'toUnixTimestamp64Milli(time) AS time' : c === 'event_id' ? 'toString(event_id) AS event_id' : c)).join(', ')}
       FROM raw_responses_v1 WHERE project_id = {p:String} ORDER BY time`,
      { p: projectId },
    )
    expect(got).toHaveLength(records.length)
    records.forEach((r, i) => {
      const want = toRawResponseRow(r)
      const row = got[i] as Record<string, unknown>
      for (const c of RAW_COLS) {
        const w = want[c as keyof typeof want]
        const v = typeof w === 'number' && typeof row[c] === 'string' ? Number(row[c]) : row[c]
        expect(v, `${c} of row ${i}`).toEqual(w)
      }
    })
  })

  it('score rows round-trip equal through the compact form', async () => {
    const projectId = `rs-${randomUUID()}`
    // Recent times: rows without a retention get the default 90 days, and older ones would be dropped.
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000
    const scores: ScoreInsertInput[] = Array.from({ length: 700 }, (_, i) => ({
      eventId: randomUUID(),
      projectId,
      time: t0 + i * 1000,
      scorer: 'sc"orer',
      scorerVersion: '1\n2',
      name: `metric_${i % 24}`,
      value: i % 7 === 0 ? 0 : i / 7,
      label: i % 2 ? 'label "x"' : '',
      ...(i % 3 ? { model: 'm', route: 'r', feature: 'f\u00e9', policyVersion: 'p', upstream: 'u' } : {}),
      ...(i % 4 ? { retentionDays: 3650 } : {}),
    }))
    await insertScores(ch)(scores)
    const got = await select<Record<string, unknown>>(
      `SELECT ${SCORE_COLS.map((c) => (c === 'time' ? 'toUnixTimestamp64Milli(time) AS time' : c === 'event_id' ? 'toString(event_id) AS event_id' : c)).join(', ')}
       FROM scores_v1 WHERE project_id = {p:String} ORDER BY time`,
      { p: projectId },
    )
    expect(got).toHaveLength(scores.length)
    scores.forEach((s, i) => {
      const want = toScoreInsertRow(s)
      const row = got[i] as Record<string, unknown>
      for (const c of SCORE_COLS) {
        const w = want[c as keyof typeof want]
        const v = typeof w === 'number' && typeof row[c] === 'string' ? Number(row[c]) : row[c]
        expect(v, `${c} of row ${i}`).toEqual(w)
      }
    })
  })

  it('an invalid score row is reported once and skipped; the rest go in', async () => {
    const projectId = `ri-${randomUUID()}`
    const ok = (i: number): ScoreInsertInput => ({
      eventId: randomUUID(),
      projectId,
      time: Date.UTC(2026, 5, 1) + i,
      scorer: 's',
      scorerVersion: '1',
      name: 'n',
      value: 0.5,
      label: '',
      // June 2026 is past the default 90-day retention: the TTL would drop the rows at insert.
      retentionDays: 3650,
    })
    const bad = { ...ok(1), value: Number.NaN }
    const invalid: number[] = []
    await insertScores(ch)([ok(0), bad, ok(2)], { onInvalid: (i) => invalid.push(i) })
    expect(invalid).toEqual([1])
    const [n] = await select<{ n: string }>(
      'SELECT count() AS n FROM scores_v1 WHERE project_id = {p:String}',
      {
        p: projectId,
      },
    )
    expect(Number(n?.n)).toBe(2)
    // Without onInvalid the insert throws the validation error instead of storing anything.
    await expect(insertScores(ch)([bad])).rejects.toMatchObject({ name: 'ZodError' })
  })

  it('the dedup token travels with the raw insert: the same batch twice is stored once', async () => {
    const projectId = `rd-${randomUUID()}`
    const records = Array.from({ length: 10 }, (_, i) => exchange({ projectId, retentionDays: 3650 }, i))
    await insertExchanges(ch)(records, { dedupToken: `tok-${projectId}` })
    await insertExchanges(ch)(records, { dedupToken: `tok-${projectId}` })
    const [n] = await select<{ n: string }>(
      'SELECT count() AS n FROM raw_responses_v1 WHERE project_id = {p:String}',
      { p: projectId },
    )
    expect(Number(n?.n)).toBe(10)
  })
})
