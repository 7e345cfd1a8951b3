import type { Server } from 'node:http'
import { eq } from 'drizzle-orm'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clickHouseSource } from '../../src/alerts/clickhouse-source.ts'
import { evaluateOnce } from '../../src/alerts/evaluator.ts'
import { DEFAULT_LIFECYCLE } from '../../src/alerts/lifecycle.ts'
import { mulberry32 } from '../../src/core/random.ts'
import { alertRules } from '../../src/db/postgres/index.ts'
import { correctedRate, correctionOf, labelIndicators, scorerUnits } from '../../src/metrics/corrected.ts'
import { queryMetricWindow } from '../../src/metrics/query.ts'
import { planSeries } from '../../src/metrics/stored.ts'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { type Item, loadXstest, replayUpstream } from '../support/xstest.ts'

/**
 * The proof of corrected rates (issue 14): XSTest's two models' responses, with their human labels,
 * replayed through the gateway (the official openai client calls Leash, a loopback upstream answers with
 * the recorded completion); a uniform 30% share is labelled through POST /api/labels; the corrected
 * refusal and false-refusal rates per model must land within 3 points of the true (fully labelled)
 * rates, closer than the raw ones, with 95% intervals that cover the truth.
 */
interface Point {
  value: number | null
  lo: number | null
  hi: number | null
  n: number
  estimate: string
  labels: number
}
type SeriesBody = { series: Array<{ labels: { model: string }; points: Point[] }> }

describe('corrected rates on XSTest (2 models x 450 human-labelled responses)', () => {
  const items = loadXstest()
  let leash: TestLeash
  let upstream: { url: string; server: Server }
  const eventOf = new Map<Item, string>()
  let from = 0
  let to = 0
  let projectId = ''

  beforeAll(async () => {
    expect(items.length).toBe(900)
    upstream = await replayUpstream(items)
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: upstream.url })
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    from = Date.now() - 60_000
    const queue = [...items]
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let it = queue.shift(); it; it = queue.shift()) {
          const { data, response } = await client.chat.completions
            .create({ model: it.model, messages: [{ role: 'user', content: it.prompt }] })
            .withResponse()
          expect(data.choices[0]?.message.content).toBe(it.completion)
          eventOf.set(it, response.headers.get('x-leash-event-id') ?? '')
        }
      }),
    )
    to = Date.now() + 60_000
    await leash.pipeline.flush()
    projectId = (await api<{ items: Array<{ id: string }> }>(leash, '/api/projects')).body.items[0]?.id ?? ''
    // Every exchange scored for refusal and false refusal before anything is measured.
    await eventually(
      async () => {
        const r = await series('refusal_rate', 'raw')
        const n = r.series.reduce((s, x) => s + (x.points[0]?.n ?? 0), 0)
        return n === 900 ? r : undefined
      },
      120_000,
      500,
    )
  }, 900_000)

  afterAll(async () => {
    await leash?.stop()
    upstream?.server.close()
  })

  async function series(metric: string, estimate: 'raw' | 'corrected'): Promise<SeriesBody> {
    const step = Math.ceil((to - from) / 1000) + 3600
    const r = await api<SeriesBody>(
      leash,
      `/api/metrics/series?metric=${metric}&groupBy=model&from=${from}&to=${to}&step=${step}&estimate=${estimate}`,
    )
    expect(r.status).toBe(200)
    return r.body
  }
  const point = (b: SeriesBody, model: string) => {
    const s = b.series.find((x) => x.labels.model === model)
    const p = s?.points.find((x) => x.n > 0)
    if (!p) throw new Error(`no point for ${model}`)
    return p
  }

  it('labels a uniform 30% share via the API: intervals cover the truth; where raw is >3 pts off, corrected lands closer and within 3', async () => {
    const raw = {
      refusal_rate: await series('refusal_rate', 'raw'),
      false_refusal_rate: await series('false_refusal_rate', 'raw'),
    }
    // Before any label, "corrected" falls back to raw and says so.
    expect(point(await series('refusal_rate', 'corrected'), 'gpt-4-xstest')).toMatchObject({
      estimate: 'raw',
      labels: 0,
    })

    const rng = mulberry32(14)
    const sample = items.filter(() => rng() < 0.3)
    for (const it of sample) {
      const r = await api<{ id: string }>(leash, '/api/labels', {
        method: 'POST',
        body: JSON.stringify({
          eventId: eventOf.get(it),
          values: { refusal: it.refusal, prompt_harmful: it.harmful },
        }),
      })
      expect(r.status).toBe(201)
    }
    const corrected = {
      refusal_rate: await series('refusal_rate', 'corrected'),
      false_refusal_rate: await series('false_refusal_rate', 'corrected'),
    }
    const lines: string[] = []
    const checks: Array<() => void> = []
    for (const model of ['gpt-4-xstest', 'mistral-guard-xstest']) {
      const mine = items.filter((i) => i.model === model)
      const benign = mine.filter((i) => !i.harmful)
      const truth = {
        refusal_rate: mine.filter((i) => i.refusal !== 'none').length / mine.length,
        false_refusal_rate: benign.filter((i) => i.refusal !== 'none').length / benign.length,
      }
      for (const metric of ['refusal_rate', 'false_refusal_rate'] as const) {
        const r = point(raw[metric], model)
        const c = point(corrected[metric], model)
        lines.push(
          `${model} ${metric}: true ${(truth[metric] * 100).toFixed(1)}%, raw ${((r.value ?? 0) * 100).toFixed(1)}%, corrected ${((c.value ?? 0) * 100).toFixed(1)}% [${((c.lo ?? 0) * 100).toFixed(1)}, ${((c.hi ?? 0) * 100).toFixed(1)}] from ${c.labels} labels`,
        )
        checks.push(() => {
          const why = lines.join('\n')
          expect(r.estimate).toBe('raw')
          expect(c.estimate).toBe('corrected')
          expect(c.labels).toBeGreaterThanOrEqual(30)
          // The 95% interval covers the truth.
          expect(c.lo as number, why).toBeLessThanOrEqual(truth[metric])
          expect(c.hi as number, why).toBeGreaterThanOrEqual(truth[metric])
          // Where the scorer is off by more than 3 points, the correction lands closer, within 3 points.
          const errC = Math.abs((c.value as number) - truth[metric])
          const errR = Math.abs((r.value as number) - truth[metric])
          if (errR > 0.03) {
            expect(errC, why).toBeLessThan(errR)
            expect(errC, why).toBeLessThanOrEqual(0.03)
          }
        })
      }
    }
    console.log(lines.join('\n'))
    for (const check of checks) check()

    // The review queue: per model, a uniform share and the least certain, none already labelled.
    const queue = await api<{
      asks: string[]
      items: Array<{
        eventId: string
        model: string
        sample: string
        prompt: string
        response: string
        verdict: Record<string, { value: number }>
      }>
    }>(leash, `/api/review-queue?metric=false_refusal_rate&n=20&from=${from}&to=${to}`)
    expect(queue.status).toBe(200)
    expect(queue.body.asks).toEqual(['refusal', 'prompt_harmful'])
    const labelledIds = new Set(sample.map((i) => eventOf.get(i)))
    expect(queue.body.items.some((i) => labelledIds.has(i.eventId))).toBe(false)
    const margin = (i: (typeof queue.body.items)[number]) =>
      Math.min(...Object.values(i.verdict).map((v) => Math.abs(v.value - 0.5)))
    for (const model of ['gpt-4-xstest', 'mistral-guard-xstest']) {
      const mine = queue.body.items.filter((i) => i.model === model)
      expect(mine.length).toBeGreaterThan(10)
      expect(mine.length).toBeLessThanOrEqual(20)
      const uniform = mine.filter((i) => i.sample === 'uniform')
      const targeted = mine.filter((i) => i.sample === 'targeted')
      expect(uniform.length).toBe(10)
      expect(targeted.length).toBeGreaterThan(0)
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
      expect(mean(targeted.map(margin))).toBeLessThan(mean(uniform.map(margin)))
      expect(mine.every((i) => i.prompt.length > 0 && i.response.length > 0)).toBe(true)
    }
    expect((await api(leash, '/api/review-queue?metric=latency_p50')).status).toBe(400)

    // Instrument health: the refusal scorer's agreement with the uniform labels, per model, as catalog
    // metrics; the default rule watches it.
    const plan = planSeries({
      projectId,
      metric: 'refusal_rate',
      from,
      to,
      stepSeconds: 86_400,
      groupBy: ['model'],
    })
    const verdicts = new Map(
      (
        await scorerUnits(
          leash.clickhouse,
          plan,
          sample.map((i) => eventOf.get(i) as string),
        )
      ).map((u) => [u.id, u.a]),
    )
    const health = await queryMetricWindow(leash.clickhouse, {
      projectId,
      metric: 'refusal_scorer_accuracy',
      from,
      to,
      groupBy: ['model'],
    })
    const sens = await queryMetricWindow(leash.clickhouse, {
      projectId,
      metric: 'refusal_scorer_sensitivity',
      from,
      to,
      groupBy: ['model'],
    })
    for (const model of ['gpt-4-xstest', 'mistral-guard-xstest']) {
      const mine = sample.filter((i) => i.model === model)
      const agree = mine.filter(
        (i) => (verdicts.get(eventOf.get(i) as string) ?? -1) === (i.refusal !== 'none' ? 1 : 0),
      )
      const acc = health.find((v) => v.labels.model === model)
      expect(acc?.n).toBe(mine.length)
      expect(acc?.value).toBeCloseTo(agree.length / mine.length, 10)
      const refused = mine.filter((i) => i.refusal !== 'none')
      const caught = refused.filter((i) => verdicts.get(eventOf.get(i) as string) === 1)
      expect(sens.find((v) => v.labels.model === model)).toMatchObject({
        n: refused.length,
        value: caught.length / refused.length,
      })
      lines.push(
        `${model} refusal scorer accuracy ${((acc?.value ?? 0) * 100).toFixed(1)}% [${((acc?.lo ?? 0) * 100).toFixed(1)}, ${((acc?.hi ?? 0) * 100).toFixed(1)}] on ${acc?.n} labels`,
      )
    }
    console.log(lines.slice(-2).join('\n'))
    const [rule] = await leash.postgres.db
      .select()
      .from(alertRules)
      .where(eq(alertRules.builtin, 'refusal-scorer-agreement'))
    expect(rule).toBeDefined()
    const results = await evaluateOnce(
      {
        db: leash.postgres.db,
        source: clickHouseSource(leash.clickhouse, leash.postgres.db),
        log: () => {},
        config: { ...DEFAULT_LIFECYCLE, publicUrl: leash.url },
      },
      Date.now(),
      { ruleIds: [rule?.id as string] },
    )
    expect(results[0]?.error).toBeNull()
    for (const model of ['gpt-4-xstest', 'mistral-guard-xstest']) {
      const acc = health.find((v) => v.labels.model === model)
      const inst = results[0]?.instances.find((i) => i.labels.model === model)
      expect(inst?.outcome).toBe((acc?.hi ?? 1) < 0.8 ? 'bad' : (acc?.value ?? 0) >= 0.82 ? 'good' : 'hold')
    }

    // Alert rules read the same estimate through their metric source, and say which it is.
    const source = clickHouseSource(leash.clickhouse, leash.postgres.db)
    const window = await source.window({
      projectId,
      metric: 'false_refusal_rate',
      from,
      to,
      groupBy: ['model'],
    })
    const gpt = window.find((v) => v.labels.model === 'gpt-4-xstest')
    expect(gpt).toMatchObject({
      estimate: 'corrected',
      labelsUsed: point(corrected.false_refusal_rate, 'gpt-4-xstest').labels,
    })
    expect(gpt?.value).toBeCloseTo(point(corrected.false_refusal_rate, 'gpt-4-xstest').value as number, 2)
    const latency = await source.window({ projectId, metric: 'latency_p50', from, to })
    expect(latency[0]?.estimate).toBeUndefined()
  }, 600_000)

  it('over 400 random 30% draws: mean error within 3 points, intervals cover the truth in >= 90%', async () => {
    const ids = items.map((i) => eventOf.get(i) as string)
    const lines: string[] = []
    for (const metric of ['refusal_rate', 'false_refusal_rate'] as const) {
      const plan = planSeries({
        projectId,
        metric,
        from,
        to,
        stepSeconds: Math.ceil((to - from) / 1000) + 3600,
        groupBy: ['model'],
      })
      const units = new Map((await scorerUnits(leash.clickhouse, plan, ids)).map((u) => [u.id, u]))
      for (const model of ['gpt-4-xstest', 'mistral-guard-xstest']) {
        const all = items
          .filter((i) => i.model === model)
          .map((i) => {
            const u = units.get(eventOf.get(i) as string)
            const l = labelIndicators(metric, { refusal: i.refusal, prompt_harmful: String(i.harmful) })
            if (!u || !l) throw new Error('unscored or unlabelled exchange')
            return { a: u.a, b: u.b, ...l }
          })
        const sum = (f: (u: (typeof all)[number]) => number) => all.reduce((s, u) => s + f(u), 0)
        const truth = sum((u) => u.A) / sum((u) => u.B)
        const raw = sum((u) => u.a) / sum((u) => u.b)
        const stats = { n: all.length, sa: sum((u) => u.a), sb: sum((u) => u.b), sab: sum((u) => u.a * u.b) }
        const DRAWS = 400
        let err = 0
        let within = 0
        let covered = 0
        for (let d = 1; d <= DRAWS; d++) {
          const rng = mulberry32(1000 + d)
          const est = correctedRate(stats, correctionOf(all.filter(() => rng() < 0.3)))
          if (!est) throw new Error('no estimate')
          const e = Math.abs(est.value - truth)
          err += e
          if (e <= 0.03) within++
          if (est.lo <= truth && truth <= est.hi) covered++
        }
        const mae = err / DRAWS
        lines.push(
          `${model} ${metric}: true ${(truth * 100).toFixed(1)}%, raw off by ${(Math.abs(raw - truth) * 100).toFixed(1)} pts; corrected mean error ${(mae * 100).toFixed(2)} pts, within 3 pts in ${((within / DRAWS) * 100).toFixed(0)}% of draws, 95% interval covers in ${((covered / DRAWS) * 100).toFixed(0)}%`,
        )
        expect(mae, lines.at(-1)).toBeLessThanOrEqual(0.03)
        expect(covered / DRAWS, lines.at(-1)).toBeGreaterThanOrEqual(0.9)
        if (Math.abs(raw - truth) > 0.03) expect(mae, lines.at(-1)).toBeLessThan(Math.abs(raw - truth))
      }
    }
    console.log(lines.join('\n'))
  }, 300_000)
})
