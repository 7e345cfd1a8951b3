import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertExchanges, insertScores } from '../../src/db/clickhouse/index.ts'
import { generateScenarioExchanges } from '../../src/demo/scenarios.ts'
import { lastCompleteWeek } from '../../src/reports/week.ts'
import { ADMIN_TOKEN, api, eventually, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

/**
 * The weekly report and an incident's evidence say which estimate they show: rates of binary scorers are
 * corrected with uniform human labels where labels allow it (>= 30 per model) and marked
 * `corrected (N labels)`, else `raw`, the same figures as the series API.
 */
const WEEK = lastCompleteWeek(Date.now())
const DAY = 86_400_000

type Row = {
  metric: string
  thisWeek: { value: number | null; n: number }
  estimate?: string
  labels?: number
}
type Report = { slices: Array<{ model: string; route: string; metrics: Row[] }> }
type Point = { n: number; value: number | null; estimate?: string; labels?: number }

describe('which estimate the weekly report and alert evidence use', () => {
  let leash: TestLeash
  let upstream: TestUpstream
  let projectId = ''

  /** Seeds one control-scenario run for `models`; returns each model's events split by the scorer's verdict. */
  async function seed(start: number, minutes: number, models: string[], seed: number) {
    const run = generateScenarioExchanges({
      scenario: 'control',
      start,
      minutes,
      ratePerMinute: 20,
      shiftAtMinute: 0,
      seed,
      projectId,
      models,
      route: 'chat',
    })
    await insertExchanges(leash.clickhouse)(run.exchanges)
    await insertScores(leash.clickhouse)(run.scores)
    const rs = await leash.clickhouse.query({
      query: `SELECT toString(s.event_id) AS id, any(e.model) AS model,
          if(argMax(s.label, s.scored_at) = '', argMax(s.value, s.scored_at) >= 0.5,
             argMax(s.label, s.scored_at) IN ('full', 'partial')) AS flagged
        FROM scores_v1 AS s FINAL INNER JOIN raw_responses_v1 AS e FINAL ON e.event_id = s.event_id
        WHERE s.project_id = {p:String} AND s.name = 'refusal' AND e.model IN {m:Array(String)}
        GROUP BY s.event_id ORDER BY id`,
      query_params: { p: projectId, m: models },
      format: 'JSONEachRow',
    })
    return (await rs.json()) as Array<{ id: string; model: string; flagged: number }>
  }

  /** Uniform refusal labels: `flagged` flagged and `plain` unflagged events of `model`, after `skip` of each. */
  async function label(
    rows: Array<{ id: string; model: string; flagged: number }>,
    model: string,
    flagged: { n: number; value: string },
    plain: number,
    source: 'human' | 'judge' = 'human',
    skip = 0,
  ) {
    const mine = rows.filter((r) => r.model === model)
    const picks = [
      ...mine
        .filter((r) => r.flagged)
        .slice(skip, skip + flagged.n)
        .map((r) => [r.id, flagged.value] as const),
      ...mine
        .filter((r) => !r.flagged)
        .slice(skip, skip + plain)
        .map((r) => [r.id, 'none'] as const),
    ]
    expect(picks.length).toBe(flagged.n + plain)
    for (const [eventId, refusal] of picks) {
      const r = await api(leash, '/api/labels', {
        method: 'POST',
        body: JSON.stringify({ eventId, values: { refusal }, source }),
      })
      expect(r.status).toBe(201)
    }
  }

  beforeAll(async () => {
    upstream = await startTestUpstream()
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: upstream.baseUrl })
    projectId = (await api<{ items: Array<{ id: string }> }>(leash, '/api/projects')).body.items[0]?.id ?? ''
  }, 120_000)

  afterAll(async () => {
    await leash?.stop()
    await upstream?.close()
  })

  it('marks report rows of scorer rates corrected (N labels) or raw, with the series API figures', async () => {
    const start = WEEK.from + 3 * DAY
    const rows = await seed(start, 90, ['labelled-model', 'unlabelled-model'], 7)
    // The labels say the scorer over-calls refusals: 10 flagged responses were not refusals.
    await label(rows, 'labelled-model', { n: 10, value: 'none' }, 30)

    const report = await api<Report>(leash, `/api/reports/weekly?week=${WEEK.week}&format=json`)
    expect(report.status).toBe(200)
    const row = (model: string, metric: string) =>
      report.body.slices.find((s) => s.model === model)?.metrics.find((m) => m.metric === metric)
    const labelled = row('labelled-model', 'refusal_rate')
    const unlabelled = row('unlabelled-model', 'refusal_rate')
    expect(labelled).toMatchObject({ estimate: 'corrected', labels: 40 })
    expect(unlabelled).toMatchObject({ estimate: 'raw', labels: 0 })
    // Not a scorer rate: no estimate to name.
    const latency = row('labelled-model', 'errors')
    expect(latency).toBeDefined()
    expect(latency?.estimate).toBeUndefined()

    // The same figures as the series API over the report's week (all traffic falls in one day bucket).
    const point = async (model: string, estimate: 'corrected' | 'raw') => {
      const r = await api<{ series: Array<{ labels: { model: string }; points: Point[] }> }>(
        leash,
        `/api/metrics/series?metric=refusal_rate&groupBy=model&from=${WEEK.from}&to=${WEEK.to}&step=86400&estimate=${estimate}`,
      )
      expect(r.status).toBe(200)
      return r.body.series.find((s) => s.labels.model === model)?.points.find((p) => p.n > 0) as Point
    }
    const corrected = await point('labelled-model', 'corrected')
    const raw = await point('labelled-model', 'raw')
    expect(corrected).toMatchObject({ estimate: 'corrected', labels: 40 })
    expect(labelled?.thisWeek.value).toBeCloseTo(corrected.value as number, 10)
    expect(labelled?.thisWeek.value).toBeLessThan(raw.value as number)
    expect(unlabelled?.thisWeek.value).toBeCloseTo(
      (await point('unlabelled-model', 'raw')).value as number,
      10,
    )

    const md = await fetch(`${leash.url}/api/reports/weekly?week=${WEEK.week}&format=md`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    const text = await md.text()
    expect(text).toMatch(/\| refusal_rate \| [0-9.]+% \(corrected \(40 labels\)\) \|/)
    expect(text).toMatch(/\| refusal_rate \| [0-9.]+% \(raw\) \|/)
  })

  it('puts the estimate and its labels in the evidence of a threshold alert (GET /api/alerts/:id)', async () => {
    const rows = await seed(Date.now() - 40 * 60_000, 30, ['alert-model'], 11)
    await label(rows, 'alert-model', { n: 10, value: 'full' }, 30)
    const rule = await api<{ id: string }>(leash, '/api/alert-rules', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Refusals present',
        spec: { kind: 'threshold', metric: 'refusal_rate', op: '>', value: 0.001 },
        window: '1h',
        interval: '10s',
        groupBy: ['model'],
      }),
    })
    expect(rule.status).toBe(201)
    type Item = { id: string; rule: string; labels: Record<string, string> }
    const firing = await eventually(
      async () => {
        const list = await api<{ items: Item[] }>(leash, '/api/alerts?state=firing')
        return list.body.items.find((i) => i.rule === 'Refusals present' && i.labels.model === 'alert-model')
      },
      60_000,
      500,
    )
    const one = await api<{ evidence: { estimate?: string; labels?: number; summary?: string } }>(
      leash,
      `/api/alerts/${firing.id}`,
    )
    expect(one.status).toBe(200)
    expect(one.body.evidence).toMatchObject({ estimate: 'corrected', labels: 40 })
    expect(one.body.evidence.summary).toContain('corrected with 40 labels')
  })

  it('corrects with judge labels when human ones are too few, as a separate estimate never mixed with them', async () => {
    const rows = await seed(Date.now() - 50 * 60_000, 45, ['judged-model'], 13)
    const step = 86_400 * 31
    const bucket = Math.floor(Date.now() / (step * 1000)) * step * 1000
    const point = async (estimate: 'corrected' | 'raw') => {
      const r = await api<{ series: Array<{ labels: { model: string }; points: Point[] }> }>(
        leash,
        `/api/metrics/series?metric=refusal_rate&groupBy=model&from=${bucket}&to=${bucket + step * 1000}&step=${step}&estimate=${estimate}`,
      )
      expect(r.status).toBe(200)
      return r.body.series
        .find((x) => x.labels.model === 'judged-model')
        ?.points.find((p) => p.n > 0) as Point
    }
    const raw = await point('raw')
    // The judge says 8 of the scorer's flagged responses are not refusals.
    await label(rows, 'judged-model', { n: 8, value: 'none' }, 32, 'judge')
    const byJudge = await point('corrected')
    expect(byJudge).toMatchObject({ estimate: 'corrected-judge', labels: 40 })
    expect(byJudge.value).toBeLessThan(raw.value as number)
    // 20 human labels are too few on their own: still the judge's estimate, its 40 labels only.
    await label(rows, 'judged-model', { n: 6, value: 'full' }, 14, 'human', 8)
    expect(await point('corrected')).toMatchObject({ estimate: 'corrected-judge', labels: 40 })
    // 30 human labels: the human estimate, counting human labels only (not 70).
    await label(rows, 'judged-model', { n: 0, value: 'full' }, 10, 'human', 22)
    const byHuman = await point('corrected')
    expect(byHuman).toMatchObject({ estimate: 'corrected', labels: 30 })
    expect(byHuman.value).not.toBeCloseTo(byJudge.value as number, 6)
  })
})
