import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import { createClickHouse, insertExchanges, migrateClickHouse } from '../../src/db/clickhouse/index.ts'
import { compareToBaseline } from '../../src/drift/baseline.ts'
import { adjustResults } from '../../src/drift/guard.ts'
import {
  binCounts,
  jsFromProportions,
  psi,
  psiFromProportions,
  quantileEdges,
} from '../../src/drift/stats.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { kolmogorovSf, ksTwoSample } from '../../src/stats/ks.ts'
import { benjaminiHochberg, holm } from '../../src/stats/multiple-testing.ts'
import { normalCdf } from '../../src/stats/normal.ts'
import { twoProportionZ } from '../../src/stats/z-tests.ts'

// Reference values below were computed with scipy 1.17 (stats.kstwobign,
// stats.norm, stats.false_discovery_control, spatial.distance.jensenshannon(base=2)**2) and numpy.
describe('drift statistics', () => {
  it('normal CDF', () => {
    expect(normalCdf(1.2345)).toBeCloseTo(0.8914916766, 6)
    expect(normalCdf(-2.5)).toBeCloseTo(0.0062096653, 6)
  })

  it('Kolmogorov survival function', () => {
    expect(kolmogorovSf(1.0)).toBeCloseTo(0.2699996717, 8)
    expect(kolmogorovSf(0.5)).toBeCloseTo(0.9639452437, 8)
    expect(kolmogorovSf(1.36)).toBeCloseTo(0.0494858768, 8)
  })

  it('KS two-sample D and asymptotic p', () => {
    const a = Array.from({ length: 200 }, (_, i) => ((i * 37) % 101) / 10)
    const b = Array.from({ length: 150 }, (_, i) => ((i * 53) % 97) / 10 + 1.5)
    const r = ksTwoSample(a, b)
    expect(r.d).toBeCloseTo(0.15, 10)
    // stats.kstwobign.sf(0.15 * sqrt(200*150/350)); scipy's ks_2samp(method='asymp') uses kstwo(n=86) = 0.0374
    expect(r.p).toBeCloseTo(0.04225616121, 8)
    const same = ksTwoSample(a, a.slice(0, 100))
    expect(same.d).toBeCloseTo(0.005, 10)
    expect(same.p).toBe(1)
  })

  it('two-proportion z-test', () => {
    const r = twoProportionZ(40, 500, 70, 500)
    expect(r.z).toBeCloseTo(3.0320049698, 8)
    expect(r.p).toBeCloseTo(0.002429352, 6)
    expect(r.diff).toBeCloseTo(0.06, 12)
  })

  it('PSI and Jensen-Shannon over proportions', () => {
    const b = [0.25, 0.25, 0.25, 0.25]
    const c = [0.1, 0.2, 0.3, 0.4]
    expect(psiFromProportions(b, c)).toBeCloseTo(0.2282174096, 9)
    expect(jsFromProportions(b, c)).toBeCloseTo(0.0402015823, 9)
    expect(jsFromProportions(b, b)).toBe(0)
  })

  it('bins from the baseline quantiles', () => {
    const base = Array.from({ length: 101 }, (_, i) => i) // 0..100
    expect(quantileEdges(base, 4)).toEqual([25, 50, 75])
    expect(binCounts([0, 25, 26, 50, 99, 100, 1000], [25, 50, 75])).toEqual([2, 2, 0, 3])
    // Discrete data collapses duplicate edges instead of making empty bins.
    expect(quantileEdges([0, 0, 0, 1, 1], 10)).toEqual([0])
    const shifted = base.map((v) => v + 30)
    expect(psi(base, base)).toBeCloseTo(0, 12)
    expect(psi(base, shifted)).toBeGreaterThan(0.25)
  })

  it('multiple-testing adjustments', () => {
    const ps = [0.01, 0.04, 0.03, 0.005, 0.2]
    const bh = benjaminiHochberg(ps)
    for (const [i, q] of [0.025, 0.05, 0.05, 0.025, 0.2].entries()) expect(bh[i]).toBeCloseTo(q, 12)
    const hm = holm(ps)
    for (const [i, q] of [0.04, 0.09, 0.09, 0.025, 0.2].entries()) expect(hm[i]).toBeCloseTo(q, 12)
    expect(benjaminiHochberg([Number.NaN, 0.01])).toEqual([Number.NaN, 0.01])
  })
})

describe('compareToBaseline on ClickHouse', () => {
  const HOUR = 3_600_000
  const DAY = 24 * HOUR
  const NOW = Math.floor(Date.now() / HOUR) * HOUR - DAY
  const P = `proj-drift-${randomUUID().slice(0, 8)}`
  let ch: ClickHouseClient
  let dir: string

  function ex(time: number, model: string, latencyMs: number): ExchangeRecord {
    return {
      eventId: randomUUID(),
      projectId: P,
      time,
      endpoint: 'chat.completions',
      route: 'chat',
      upstream: 'demo',
      model,
      stream: false,
      status: 200,
      outcome: 'ok',
      latencyMs,
      ttftMs: null,
      usage: null,
      usageFromUpstream: false,
      costUsd: 0,
      request: null,
      prompt: 'p',
      responseText: 'r',
      tools: [],
      toolCalls: [],
      finishReason: 'stop',
      tags: { user: '', session: '', feature: '', policyVersion: '', extra: {} },
      sources: [],
      errorMessage: '',
    }
  }

  async function load(
    from: number,
    model: string,
    n: number,
    refusals: number,
    latency: (i: number) => number,
  ) {
    const rows = Array.from({ length: n }, (_, i) => ex(from + i * 1000, model, latency(i)))
    await insertExchanges(ch)(rows)
    await ch.insert({
      table: 'scores_v1',
      format: 'JSONEachRow',
      values: rows.map((r, i) => ({
        project_id: P,
        event_id: r.eventId,
        time: r.time,
        name: 'refusal',
        value: i < refusals ? 0.95 : 0.05,
        label: i < refusals ? 'full' : 'none',
        scorer: 't',
        scorer_version: '1',
      })),
    })
  }

  const cur = { from: NOW, to: NOW + HOUR }
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-drift-'))
    ch = createClickHouse({ dataDir: dir })
    await migrateClickHouse(ch)
    await load(cur.from - 7 * DAY, 'm1', 500, 40, (i) => 100 + (i % 50)) // a week before
    await load(cur.from, 'm1', 500, 70, (i) => 130 + (i % 50)) // now: more refusals, slower
    await load(cur.from, 'm2', 500, 41, (i) => 100 + (i % 50)) // other model, like the old m1
    await load(cur.from - 2 * DAY, 'm2', 500, 39, (i) => 100 + (i % 50)) // m2's pinned baseline
  }, 60_000)

  afterAll(async () => {
    await ch?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('tests a rate against the same window a week before', async () => {
    const r = await compareToBaseline(ch, {
      projectId: P,
      metric: 'refusal_rate',
      current: { ...cur, filters: { model: 'm1' } },
      baseline: { kind: 'week_before' },
    })
    expect(r).toMatchObject({ test: 'two_proportion_z', nCurrent: 500, nBaseline: 500, significant: true })
    expect(r.statistic).toBeCloseTo(3.0320049698, 8)
    expect(r.p).toBeCloseTo(0.002429352, 6)
    expect(r.delta).toBeCloseTo(0.06, 12)
    expect(r.psi).not.toBeNull()
  })

  it('tests latency quantiles by KS against another model', async () => {
    const r = await compareToBaseline(ch, {
      projectId: P,
      metric: 'latency_p50',
      current: { ...cur, filters: { model: 'm1' } },
      baseline: { kind: 'model', model: 'm2' },
    })
    expect(r.test).toBe('ks')
    expect(r.ks?.d).toBeCloseTo(0.6, 10) // uniform 130..179 vs 100..149: 30 of 50 values apart
    expect(r.significant).toBe(true)
    const same = await compareToBaseline(ch, {
      projectId: P,
      metric: 'refusal_rate',
      current: { ...cur, filters: { model: 'm2' } },
      baseline: { kind: 'pinned', from: cur.from - 2 * DAY, to: cur.to - 2 * DAY },
    })
    expect(same.significant).toBe(false)
    expect(same.p).toBeGreaterThan(0.5)
  })

  it('never calls a change significant below minimum samples, and adjusts for many tests', async () => {
    const tiny = await compareToBaseline(ch, {
      projectId: P,
      metric: 'refusal_rate',
      current: { from: cur.from, to: cur.from + 10_000, filters: { model: 'm1' } },
      baseline: { kind: 'week_before' },
    })
    expect(tiny).toMatchObject({ insufficient: true, significant: false, p: null })
    const results = await Promise.all(
      ['refusal_rate', 'latency_p50', 'requests'].map((metric) =>
        compareToBaseline(ch, {
          projectId: P,
          metric,
          current: { ...cur, filters: { model: 'm1' } },
          baseline: { kind: 'week_before' },
        }),
      ),
    )
    const adjusted = adjustResults([...results, tiny])
    expect(adjusted.map((r) => r.significant)).toEqual([true, true, false, false])
    // Two tests ran (requests has no test, the tiny one is insufficient): BH leaves the larger p as is.
    expect(adjusted[0]?.pAdjusted).toBeCloseTo(results[0]?.p ?? 0, 12)
    expect(adjusted[1]?.pAdjusted).toBeCloseTo((results[1]?.p ?? 0) * 2, 12)
  })
})
