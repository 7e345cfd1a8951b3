import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import { createClickHouse, insertExchanges, migrateClickHouse } from '../../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { CATALOG, findMetric, metricDefs } from '../../src/metrics/catalog.ts'
import {
  queryMetricSeries,
  queryMetricWindow,
  sampleMetricValues,
  worstExamples,
} from '../../src/metrics/query.ts'
import { rollupEligible } from '../../src/metrics/sql.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
// Recent enough to stay inside the raw tables' retention TTL (migration 004).
const T0 = Math.floor(Date.now() / DAY) * DAY - 10 * DAY
const P = `proj-metrics-${randomUUID().slice(0, 8)}`

let ch: ClickHouseClient
let dir: string

function exchange(i: number, over: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    eventId: randomUUID(),
    projectId: P,
    time: T0 + HOUR + i * 1000,
    endpoint: 'chat.completions',
    route: 'chat',
    upstream: 'demo',
    model: i < 60 ? 'model-a' : 'model-b',
    stream: false,
    status: i < 6 ? 500 : 200,
    outcome: i < 6 ? 'upstream_error' : 'ok',
    latencyMs: i + 1,
    ttftMs: i % 2 === 0 ? 10 : null,
    usage: { promptTokens: 100, completionTokens: 10 + (i % 5), cachedTokens: 0 },
    usageFromUpstream: true,
    costUsd: 0.01,
    request: [],
    prompt: `prompt ${i}`,
    responseText: `response number ${i} with words`,
    tools: [],
    toolCalls: [],
    finishReason: 'stop',
    tags: {
      user: 'u',
      session: '',
      feature: 'chat',
      policyVersion: 'v1',
      extra: { team: i % 2 ? 'red' : 'blue' },
    },
    sources: [],
    errorMessage: '',
    ...over,
  }
}

interface ScoreSpec {
  name: string
  value: number
  label?: string
}

async function insertScoresFor(ex: ExchangeRecord[], scores: (i: number) => ScoreSpec[]): Promise<void> {
  const rows = ex.flatMap((e, i) =>
    scores(i).map((s) => ({
      project_id: e.projectId,
      event_id: e.eventId,
      time: e.time,
      name: s.name,
      value: s.value,
      label: s.label ?? '',
      scorer: 'test',
      scorer_version: '1',
      model: e.model,
      route: e.route,
      feature: e.tags.feature,
      policy_version: e.tags.policyVersion,
      upstream: e.upstream,
    })),
  )
  await ch.insert({ table: 'scores_v1', values: rows, format: 'JSONEachRow' })
}

const hour1 = { from: T0 + HOUR, to: T0 + 2 * HOUR }
let hourOne: ExchangeRecord[] = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-metrics-'))
  ch = createClickHouse({ dataDir: dir })
  await migrateClickHouse(ch)
  // Hour 1: 100 exchanges; refusal full for i < 15, partial for 15 <= i < 20; benign prompts for i >= 40.
  hourOne = Array.from({ length: 100 }, (_, i) => exchange(i))
  await insertExchanges(ch)(hourOne)
  await insertScoresFor(hourOne, (i) => [
    { name: 'refusal', value: i < 20 ? 0.9 : 0.1, label: i < 15 ? 'full' : i < 20 ? 'partial' : 'none' },
    { name: 'prompt_risk', value: i < 40 ? 0.9 : 0.1 },
    // 6 benign prompts refused (i = 40..45)
    { name: 'false_refusal', value: i >= 40 && i < 46 ? 0.8 : 0.05 },
    { name: 'reward', value: i + 1 },
    { name: 'length_tokens', value: (((i + 1) * 37) % 101) + i + 1 },
  ])
}, 60_000)

afterAll(async () => {
  await ch?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('metric catalog', () => {
  it('defines every metric once with a formula and a minimum sample size', () => {
    const names = CATALOG.map((m) => m.name)
    expect(new Set(names).size).toBe(names.length)
    for (const required of [
      'refusal_rate',
      'false_refusal_rate',
      'violation_rate',
      'satisfaction',
      'edit_distance_mean',
      'citation_support_rate',
      'tool_call_pass_rate',
      'cost_per_request',
      'latency_p99',
      'ttft_p95',
      'error_rate',
      'context_growth_per_turn',
      'tool_calls_per_session',
      'reward_length_correlation',
      'goodhart_gap',
      'distinct_2_mean',
      'template_repeat_rate',
      'sycophancy_rate',
    ])
      expect(names).toContain(required)
    for (const d of metricDefs()) {
      expect(d.formula.length).toBeGreaterThan(10)
      expect(d).not.toHaveProperty('source')
    }
  })
})

describe('queryMetricWindow over raw rows', () => {
  it('computes a rate with its Wilson interval', async () => {
    const [v] = await queryMetricWindow(ch, { projectId: P, metric: 'refusal_rate', ...hour1 })
    // Wilson 95% for 20/100 (reference: p=0.2, z=1.95996): [0.133367, 0.288829]
    expect(v).toMatchObject({ labels: {}, n: 100, value: 0.2, insufficient: false })
    expect(v?.lo).toBeCloseTo(0.133367, 5)
    expect(v?.hi).toBeCloseTo(0.288829, 5)
    const [full] = await queryMetricWindow(ch, { projectId: P, metric: 'full_refusal_rate', ...hour1 })
    expect(full?.value).toBe(0.15)
  })

  it('measures false refusals among benign prompts only', async () => {
    const [v] = await queryMetricWindow(ch, { projectId: P, metric: 'false_refusal_rate', ...hour1 })
    // 6 of the 60 benign prompts; Wilson [0.046643, 0.201495]
    expect(v).toMatchObject({ n: 60, value: 0.1 })
    expect(v?.lo).toBeCloseTo(0.046643, 5)
    expect(v?.hi).toBeCloseTo(0.201495, 5)
  })

  it('returns null, never zero, below the minimum sample size', async () => {
    const few = { from: T0 + HOUR, to: T0 + HOUR + 10_000 } // the first 10 exchanges
    const [v] = await queryMetricWindow(ch, { projectId: P, metric: 'refusal_rate', ...few })
    expect(v).toEqual({ labels: {}, n: 10, value: null, lo: null, hi: null, insufficient: true })
    const [none] = await queryMetricWindow(ch, { projectId: P, metric: 'violation_rate', ...hour1 })
    expect(none).toMatchObject({ n: 0, value: null, insufficient: true })
    const [empty] = await queryMetricWindow(ch, { projectId: P, metric: 'requests', from: T0, to: T0 + HOUR })
    expect(empty).toMatchObject({ n: 0, value: 0, insufficient: false })
  })

  it('groups by model and filters by tags', async () => {
    const byModel = await queryMetricWindow(ch, {
      projectId: P,
      metric: 'error_rate',
      ...hour1,
      groupBy: ['model'],
    })
    const sorted = [...byModel].sort((a, b) => (a.labels.model ?? '').localeCompare(b.labels.model ?? ''))
    expect(sorted.map((v) => [v.labels.model, v.n, v.value])).toEqual([
      ['model-a', 60, 0.1],
      ['model-b', 40, 0],
    ])
    const [red] = await queryMetricWindow(ch, {
      projectId: P,
      metric: 'requests',
      ...hour1,
      filters: { tags: { team: 'red' }, model: 'model-a' },
    })
    expect(red?.value).toBe(30)
  })

  it('gives quantiles with order-statistic intervals', async () => {
    const [p50] = await queryMetricWindow(ch, { projectId: P, metric: 'latency_p50', ...hour1 })
    // latencies 1..100: median 50.5; ranks floor(50 - 1.96*5) = 40 and ceil(50 + 1.96*5) = 60
    expect(p50).toMatchObject({ n: 100, value: 50.5, lo: 40, hi: 60 })
    const [ttft] = await queryMetricWindow(ch, { projectId: P, metric: 'ttft_p50', ...hour1 })
    expect(ttft).toMatchObject({ n: 50, value: 10 })
  })

  it('gives correlations with a Fisher-z interval', async () => {
    const [r] = await queryMetricWindow(ch, { projectId: P, metric: 'reward_length_correlation', ...hour1 })
    // numpy.corrcoef(x, ((x*37) % 101) + x) for x = 1..100 = 0.710953; Fisher z CI [0.598049, 0.796188]
    expect(r?.n).toBe(100)
    expect(r?.value).toBeCloseTo(0.710953, 5)
    expect(r?.lo).toBeCloseTo(0.598049, 5)
    expect(r?.hi).toBeCloseTo(0.796188, 5)
  })

  it('counts a re-delivered event once', async () => {
    await insertExchanges(ch)(hourOne.slice(0, 10).map((e) => ({ ...e, latencyMs: e.latencyMs })))
    const [v] = await queryMetricWindow(ch, { projectId: P, metric: 'requests', ...hour1 })
    expect(v?.value).toBe(100)
  })

  it('rejects unknown metrics and reversed windows', async () => {
    await expect(queryMetricWindow(ch, { projectId: P, metric: 'nope', ...hour1 })).rejects.toThrow(
      /unknown metric/,
    )
    await expect(
      queryMetricWindow(ch, { projectId: P, metric: 'requests', from: hour1.to, to: hour1.from }),
    ).rejects.toThrow(/after/)
  })

  it('finds the worst examples and samples distributions', async () => {
    const worst = await worstExamples(ch, { projectId: P, metric: 'latency_p95', ...hour1, limit: 3 })
    expect(worst.map((w) => w.value)).toEqual([100, 99, 98])
    expect(worst[0]?.excerpt).toBe('response number 99 with words')
    const refusals = await worstExamples(ch, { projectId: P, metric: 'refusal_rate', ...hour1, limit: 5 })
    expect(refusals.every((w) => w.value === 0.9)).toBe(true)
    const lat = await sampleMetricValues(ch, { projectId: P, column: 'latency_ms', ...hour1 })
    expect(lat.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    const rw = await sampleMetricValues(ch, { projectId: P, metric: 'reward_mean', ...hour1, limit: 7 })
    expect(rw).toHaveLength(7)
  })
})

describe('queryMetricSeries', () => {
  it('fills empty buckets with n = 0 (null for rates, 0 for counts)', async () => {
    const range = { from: T0, to: T0 + 3 * HOUR, stepSeconds: 3600 }
    const [reqs] = await queryMetricSeries(ch, { projectId: P, metric: 'requests', ...range })
    expect(reqs?.points.map((p) => [p.t, p.value])).toEqual([
      [T0, 0],
      [T0 + HOUR, 100],
      [T0 + 2 * HOUR, 0],
    ])
    const [rates] = await queryMetricSeries(ch, { projectId: P, metric: 'refusal_rate', ...range })
    expect(rates?.points.map((p) => p.value)).toEqual([null, 0.2, null])
    expect(rates?.points[0]?.insufficient).toBe(true)
  })

  it('series by group carry labels', async () => {
    const series = await queryMetricSeries(ch, {
      projectId: P,
      metric: 'requests',
      ...hour1,
      stepSeconds: 1800,
      groupBy: ['model'],
    })
    const totals = Object.fromEntries(
      series.map((s) => [s.labels.model, s.points.reduce((a, p) => a + (p.value ?? 0), 0)]),
    )
    expect(totals).toEqual({ 'model-a': 60, 'model-b': 40 })
  })
})

describe('hourly rollups', () => {
  const Q = `${P}-rollup`
  const start = T0 - 4 * DAY
  beforeAll(async () => {
    // 3 days, 8 exchanges per hour with varying latency/errors/cost and a reward score.
    const ex: ExchangeRecord[] = []
    for (let h = 0; h < 72; h++)
      for (let j = 0; j < 8; j++) {
        const i = h * 8 + j
        ex.push(
          exchange(i, {
            projectId: Q,
            time: start + h * HOUR + j * 60_000,
            model: j % 2 ? 'model-a' : 'model-b',
            status: i % 13 === 0 ? 502 : 200,
            outcome: i % 13 === 0 ? 'upstream_error' : 'ok',
            latencyMs: 100 + ((i * 7919) % 500),
            costUsd: ((i % 10) + 1) / 1000,
          }),
        )
      }
    await insertExchanges(ch)(ex)
    await insertScoresFor(ex, (i) => [
      { name: 'reward', value: (i % 17) / 17 },
      { name: 'refusal', value: i % 9 === 0 ? 0.9 : 0.1, label: i % 9 === 0 ? 'full' : 'none' },
    ])
  }, 60_000)

  it('are read for long hour-aligned ranges without tag filters, raw rows otherwise', () => {
    const shape = (metric: string, fromMs: number, toMs: number, tags?: Record<string, string>) => ({
      metric: (() => {
        const m = findMetric(metric)
        if (!m) throw new Error(`no metric ${metric}`)
        return m
      })(),
      projectId: Q,
      fromMs,
      toMs,
      filters: tags ? { tags } : {},
      groupBy: [],
    })
    expect(rollupEligible(shape('error_rate', start, start + 3 * DAY))).toBe(true)
    expect(rollupEligible(shape('refusal_rate', start, start + 3 * DAY))).toBe(true)
    expect(rollupEligible(shape('error_rate', start, start + DAY))).toBe(false)
    expect(rollupEligible(shape('error_rate', start + 1, start + 3 * DAY))).toBe(false)
    expect(rollupEligible(shape('error_rate', start, start + 3 * DAY, { team: 'red' }))).toBe(false)
    expect(rollupEligible(shape('reward_length_correlation', start, start + 3 * DAY))).toBe(false)
  })

  it('agree with raw rows over a multi-day range', async () => {
    const long = { projectId: Q, from: start, to: start + 3 * DAY }
    const days = [0, 1, 2].map((d) => ({ projectId: Q, from: start + d * DAY, to: start + (d + 1) * DAY }))
    for (const metric of [
      'requests',
      'errors',
      'error_rate',
      'cost_usd_total',
      'cost_per_request',
      'reward_mean',
      'refusal_rate',
    ]) {
      const [rollup] = await queryMetricWindow(ch, { ...long, metric }) // > 48 h, hour-aligned: rollups
      const raw = await Promise.all(days.map((d) => queryMetricWindow(ch, { ...d, metric }))) // 24 h: raw
      const n = raw.reduce((a, r) => a + (r[0]?.n ?? 0), 0)
      expect(rollup?.n, metric).toBe(n)
      const def = CATALOG.find((m) => m.name === metric)
      const combined =
        def?.aggregate === 'sum'
          ? raw.reduce((a, r) => a + (r[0]?.value ?? 0), 0)
          : raw.reduce((a, r) => a + (r[0]?.value ?? 0) * (r[0]?.n ?? 0), 0) / n
      expect(rollup?.value, metric).toBeCloseTo(combined, 9)
    }
    const [p95] = await queryMetricWindow(ch, { ...long, metric: 'latency_p95' })
    const exact = [...(await sampleMetricValues(ch, { ...long, column: 'latency_ms', limit: 10_000 }))].sort(
      (a, b) => a - b,
    )
    const ref = exact[Math.floor(0.95 * (exact.length - 1))] as number
    expect(Math.abs((p95?.value ?? 0) - ref) / ref).toBeLessThan(0.03)
    expect(p95?.lo).not.toBeNull()
    expect(p95?.lo ?? 0).toBeLessThanOrEqual(p95?.value ?? 0)
    expect(p95?.hi ?? 0).toBeGreaterThanOrEqual(p95?.value ?? 0)
  })

  it('drop a retried batch (same dedup token) in the rollups too', async () => {
    const R = `${P}-retry`
    const batch = Array.from({ length: 20 }, (_, i) => exchange(i, { projectId: R, time: start + i * HOUR }))
    await insertExchanges(ch)(batch, { dedupToken: 'batch-1' })
    await insertExchanges(ch)(batch, { dedupToken: 'batch-1' })
    const [v] = await queryMetricWindow(ch, {
      projectId: R,
      metric: 'requests',
      from: start,
      to: start + 3 * DAY,
    })
    expect(v?.value).toBe(20)
  })

  it('serve daily series by model', async () => {
    const series = await queryMetricSeries(ch, {
      projectId: Q,
      metric: 'requests',
      from: start,
      to: start + 3 * DAY,
      stepSeconds: 86_400,
      groupBy: ['model'],
    })
    expect(series).toHaveLength(2)
    for (const s of series) expect(s.points.map((p) => p.value)).toEqual([96, 96, 96])
  })
})
