import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import { createClickHouse, insertExchanges, migrateClickHouse } from '../../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { findMetric } from '../../src/metrics/catalog.ts'
import { queryMetricSeries } from '../../src/metrics/query.ts'
import { rollupMetricSql } from '../../src/metrics/sql.ts'
import { exchange, tempDir } from '../support/ingest-fixtures.ts'

/** Migration 015: whole-project quantile charts read one digest per project and hour. */
const HOUR = 3_600_000
const P = `q-${randomUUID()}`
const to = Math.floor(Date.now() / HOUR) * HOUR
const from = to - 3 * 24 * HOUR
let dir: string
let ch: ClickHouseClient

beforeAll(async () => {
  dir = tempDir('leash-q-rollup-')
  ch = createClickHouse({ dataDir: dir })
  await migrateClickHouse(ch)
  const rows: ExchangeRecord[] = []
  for (let h = 0; h < 72; h++)
    for (let j = 0; j < 30; j++) {
      const i = h * 30 + j
      rows.push(
        exchange(
          {
            projectId: P,
            time: from + h * HOUR + j * 60_000,
            model: ['a', 'b', 'c'][j % 3] as string,
            route: j % 2 ? 'r1' : 'r2',
            latencyMs: 100 + ((i * 7919) % 900),
            ttftMs: j % 4 ? 20 + (i % 50) : null,
            retentionDays: 3650,
          },
          i,
        ),
      )
    }
  await insertExchanges(ch)(rows)
}, 120_000)

afterAll(async () => {
  await ch.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('per-project quantile rollup', () => {
  it('is what a whole-project quantile chart reads; a slice filter or a group-by reads the sliced one', () => {
    const metric = findMetric('latency_p95')
    if (!metric) throw new Error('no latency_p95')
    const shape = { metric, projectId: P, fromMs: from, toMs: to, stepMs: HOUR, filters: {}, groupBy: [] }
    expect(rollupMetricSql(shape).sql).toContain('FROM responses_q_per_hour_v1')
    expect(rollupMetricSql({ ...shape, filters: { model: 'a' } }).sql).toContain('FROM responses_per_hour_v1')
    expect(rollupMetricSql({ ...shape, groupBy: ['model'] }).sql).toContain('FROM responses_per_hour_v1')
  })

  for (const metric of ['latency_p95', 'ttft_p50']) {
    it(`${metric}: every hour agrees with the sliced rollup (same n, same digest quantile)`, async () => {
      const q = { projectId: P, metric, from, to, stepSeconds: 3600, minSamples: 1 }
      const [whole] = await queryMetricSeries(ch, q)
      // Every row has upstream "test": the same rows, read from one digest per slice and hour.
      const [sliced] = await queryMetricSeries(ch, { ...q, filters: { upstream: 'test' } })
      const a = (whole?.points ?? []).filter((p) => p.n > 0)
      const b = (sliced?.points ?? []).filter((p) => p.n > 0)
      expect(a).toHaveLength(72)
      expect(a.map((p) => [p.t, p.n])).toEqual(b.map((p) => [p.t, p.n]))
      a.forEach((p, i) => {
        const v = b[i]?.value ?? Number.NaN
        expect(Math.abs((p.value ?? 0) - v), `${metric} at ${p.t}`).toBeLessThanOrEqual(0.05 * v)
      })
    })
  }
})
