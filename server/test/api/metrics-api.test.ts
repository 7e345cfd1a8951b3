import type { AlertSpec, MetricSeriesResponse, TimeSeries } from '@leash/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertExchanges, insertScores } from '../../src/db/clickhouse/index.ts'
import { alertRules, incidents } from '../../src/db/postgres/index.ts'
import { generateScenarioExchanges } from '../../src/demo/scenarios.ts'
import { lastCompleteWeek } from '../../src/reports/week.ts'
import { ADMIN_TOKEN, api, startTestLeash, type TestLeash } from '../support/leash.ts'

const MIN = 60_000
// Hour-aligned, so 30-minute and 10-minute buckets line up with the shift.
const START = Math.floor(Date.now() / (60 * MIN)) * 60 * MIN - 120 * MIN
const WEEK = lastCompleteWeek(Date.now())

let leash: TestLeash
let projectId: string

beforeAll(async () => {
  leash = await startTestLeash({ mode: 'embedded' })
  const projects = await api<{ items: Array<{ id: string }> }>(leash, '/api/projects')
  projectId = projects.body.items[0]?.id ?? ''
  for (const run of [
    generateScenarioExchanges({
      scenario: 'over-refusal',
      start: START,
      minutes: 60,
      ratePerMinute: 10,
      shiftAtMinute: 30,
      seed: 5,
      projectId,
      models: ['leash-demo-mini', 'leash-demo-pro'],
    }),
    generateScenarioExchanges({
      scenario: 'control',
      start: WEEK.from + 86_400_000,
      minutes: 30,
      ratePerMinute: 10,
      shiftAtMinute: 0,
      seed: 6,
      projectId,
      models: ['<b>bold</b>'],
    }),
  ]) {
    await insertExchanges(leash.clickhouse)(run.exchanges)
    await insertScores(leash.clickhouse)(run.scores)
  }
}, 90_000)

afterAll(async () => {
  await leash?.stop()
})

const series = (query: string) =>
  api<MetricSeriesResponse & { error?: { message: string } }>(leash, `/api/metrics/series?${query}`)

describe('GET /api/metrics/catalog and /api/metrics/series', () => {
  it('lists the catalog', async () => {
    const { status, body } = await api<{ items: Array<Record<string, unknown>> }>(
      leash,
      '/api/metrics/catalog',
    )
    expect(status).toBe(200)
    const fr = body.items.find((m) => m.name === 'false_refusal_rate')
    expect(fr).toMatchObject({ aggregate: 'rate', unit: 'ratio', better: 'lower', minSamples: 30 })
    expect(body.items.every((m) => !('source' in m))).toBe(true)
  })

  it('serves a grouped series with intervals and shows the shift', async () => {
    const q = `metric=false_refusal_rate&from=${START}&to=${START + 60 * MIN}&step=1800&groupBy=model`
    const { status, body } = await series(q)
    expect(status).toBe(200)
    expect(body.step).toBe(1800)
    expect(body.metric.name).toBe('false_refusal_rate')
    expect(body.series.map((s) => s.labels.model).sort()).toEqual(['leash-demo-mini', 'leash-demo-pro'])
    for (const s of body.series) {
      const [before, after] = s.points.filter((p) => p.t >= START && p.t < START + 60 * MIN)
      expect(before?.value).not.toBeNull()
      expect(after?.value ?? 0).toBeGreaterThan((before?.value ?? 1) + 0.1)
      expect(after?.lo ?? 1).toBeLessThanOrEqual(after?.value ?? 0)
    }
    const filtered = await series(
      `metric=requests&from=${START}&to=${START + 60 * MIN}&step=3600&model=leash-demo-pro&tags=`,
    )
    expect(filtered.body.series[0]?.points.reduce((a, p) => a + (p.value ?? 0), 0)).toBe(300)
  })

  it('rejects bad queries with clear 400s', async () => {
    const cases: Array<[string, RegExp]> = [
      ['metric=nope', /unknown metric 'nope'/],
      ['from=1000', /metric/],
      ['metric=requests&groupBy=color', /unknown dimension 'color'/],
      [`metric=requests&from=${START}&to=${START - 1}`, /before/],
      ['metric=requests&step=5', /step/],
      ['metric=requests&from=yesterday', /ISO-8601 or epoch ms/],
      ['metric=requests&tags=novalue', /not k=v/],
      [`metric=requests&from=${START - 365 * 86_400_000}&to=${START}&step=60`, /buckets/],
    ]
    for (const [q, message] of cases) {
      const { status, body } = await series(q)
      expect(status, q).toBe(400)
      expect(body.error?.message, q).toMatch(message)
    }
  })

  it('needs a login', async () => {
    const res = await fetch(`${leash.url}/api/metrics/series?metric=requests`)
    expect(res.status).toBe(401)
  })

  it('keeps the overview shape on top of the query layer', async () => {
    const { status, body } = await api<TimeSeries>(
      leash,
      `/api/metrics/overview?from=${new Date(START).toISOString()}&to=${new Date(START + 60 * MIN).toISOString()}&step=600`,
    )
    expect(status).toBe(200)
    expect(body.points).toHaveLength(6)
    expect(body.points.reduce((a, p) => a + p.requests, 0)).toBe(600)
    expect(body.points.every((p) => p.refusal_rate !== null && p.latency_p95 !== null)).toBe(true)
    expect(body.points[0]?.t).toBe(new Date(START).toISOString())
  })
})

describe('GET /api/reports/weekly', () => {
  it('renders JSON with the alerts that fired, and escaped HTML', async () => {
    const [rule] = await leash.postgres.db
      .insert(alertRules)
      .values({
        projectId,
        name: 'refusals <up>',
        kind: 'static',
        metric: 'refusal_rate',
        spec: {} as AlertSpec,
        window: '1h',
        interval: '1m',
        severity: 'warning',
      })
      .returning()
    await leash.postgres.db.insert(incidents).values({
      projectId,
      ruleId: rule?.id ?? '',
      fingerprint: 'fp-report',
      severity: 'warning',
      state: 'resolved',
      labels: {},
      startedAt: new Date(WEEK.from + 86_400_000),
      acknowledgedAt: new Date(WEEK.from + 86_400_000 + 120_000),
      resolvedAt: new Date(WEEK.from + 86_400_000 + 600_000),
      timeToAckMs: 120_000,
      timeToResolveMs: 600_000,
    })
    const json = await api<{
      week: string
      alerts: { fired: number; medianTimeToAckMs: number }
      slices: unknown[]
    }>(leash, `/api/reports/weekly?week=${WEEK.week}&format=json`)
    expect(json.status).toBe(200)
    expect(json.body.week).toBe(WEEK.week)
    expect(json.body.alerts).toMatchObject({ fired: 1, medianTimeToAckMs: 120_000 })
    expect(json.body.slices).toContainEqual(expect.objectContaining({ model: '<b>bold</b>', requests: 300 }))

    const res = await fetch(`${leash.url}/api/reports/weekly?week=${WEEK.week}&format=html`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await res.text()
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;')
    expect(html).toContain('refusals &lt;up&gt;')
    expect(html).not.toContain('<b>bold</b>')

    const bad = await api<{ error: { message: string } }>(leash, '/api/reports/weekly?week=2026-48')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/2026-W48/)
  })
})
