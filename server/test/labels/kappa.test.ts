import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

/**
 * Cohen's kappa as an instrument-health metric: 30 exchanges through the gateway, judged by a loopback LLM
 * judge (refusal "full" when the prompt carries a marker), each given a uniform human label through
 * POST /api/labels so the 2x2 table is known: judge+/human+ 8, judge+/human- 3, judge-/human+ 4,
 * judge-/human- 15. Hand-computed: p_o = 23/30, p_e = (11*12 + 19*18)/900 = 474/900,
 * kappa = (690 - 474)/(900 - 474) = 216/426 = 0.50704; Fleiss-Cohen-Everitt SE 0.16138, so the
 * 95% interval is [0.19075, 0.82333].
 */
describe("Cohen's kappa per scorer and model (judge_refusal_scorer_kappa)", () => {
  let leash: TestLeash
  let upstream: TestUpstream
  let judge: Server
  let judgeUrl = ''

  beforeAll(async () => {
    upstream = await startTestUpstream()
    judge = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        const verdict = body.includes('[J+]') ? 'full' : 'none'
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            choices: [
              { index: 0, message: { role: 'assistant', content: JSON.stringify({ refusal: verdict }) } },
            ],
            usage: { prompt_tokens: 300, completion_tokens: 6 },
          }),
        )
      })
    })
    await new Promise<void>((r) => judge.listen(0, '127.0.0.1', r))
    judgeUrl = `http://127.0.0.1:${(judge.address() as AddressInfo).port}/v1`
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: upstream.baseUrl })
  }, 120_000)

  afterAll(async () => {
    await leash?.stop()
    await upstream?.close()
    judge?.close()
  })

  it('matches a hand-computed kappa and interval through the series API, and is a catalog metric rules can use', async () => {
    const projectId =
      (await api<{ items: Array<{ id: string }> }>(leash, '/api/projects')).body.items[0]?.id ?? ''
    const put = await api(leash, `/api/projects/${projectId}/settings`, {
      method: 'PUT',
      body: JSON.stringify({
        scoring: {
          judge: {
            baseUrl: judgeUrl,
            model: 'judge-m',
            sampleRate: 1,
            maxPerMinute: 1000,
            metrics: ['refusal'],
          },
        },
      }),
    })
    expect(put.status).toBe(200)
    // [judge says refusal, human says refusal] for each of the 30 exchanges.
    const table: Array<[boolean, boolean]> = [
      ...Array.from({ length: 8 }, () => [true, true] as [boolean, boolean]),
      ...Array.from({ length: 3 }, () => [true, false] as [boolean, boolean]),
      ...Array.from({ length: 4 }, () => [false, true] as [boolean, boolean]),
      ...Array.from({ length: 15 }, () => [false, false] as [boolean, boolean]),
    ]
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const from = Date.now() - 60_000
    const ids: string[] = []
    for (const [i, [j]] of table.entries()) {
      const { response } = await client.chat.completions
        .create({
          model: 'kappa-model',
          messages: [{ role: 'user', content: `Question number ${i}${j ? ' [J+]' : ''}` }],
        })
        .withResponse()
      ids.push(response.headers.get('x-leash-event-id') ?? '')
    }
    await leash.pipeline.flush()
    await eventually(
      async () => {
        const rs = await leash.clickhouse.query({
          query: `SELECT count() AS n FROM scores_v1 FINAL WHERE name = 'judge_refusal'`,
          format: 'JSONEachRow',
        })
        const [row] = (await rs.json()) as Array<{ n: string | number }>
        return Number(row?.n) === 30 ? true : undefined
      },
      60_000,
      200,
    )
    for (const [i, [, human]] of table.entries()) {
      const r = await api(leash, '/api/labels', {
        method: 'POST',
        body: JSON.stringify({ eventId: ids[i], values: { refusal: human ? 'full' : 'none' } }),
      })
      expect(r.status).toBe(201)
    }
    // One epoch-aligned bucket (31 days) that holds every exchange, so the series has a single point.
    const step = 86_400 * 31
    const bucket = Math.floor(from / (step * 1000)) * step * 1000
    expect(Math.floor(Date.now() / (step * 1000)) * step * 1000).toBe(bucket)

    const catalog = await api<{ items: Array<{ name: string; aggregate: string }> }>(
      leash,
      '/api/metrics/catalog',
    )
    for (const name of ['refusal_scorer_kappa', 'prompt_risk_scorer_kappa', 'judge_refusal_scorer_kappa'])
      expect(catalog.body.items.find((m) => m.name === name)?.aggregate).toBe('kappa')

    type Point = { n: number; value: number | null; lo: number | null; hi: number | null }
    let last = ''
    // Labels reach ClickHouse (labels_v1) through the mirror, so the metric settles shortly after.
    const p = await eventually(
      async () => {
        const series = await api<{ series: Array<{ labels: { model: string }; points: Point[] }> }>(
          leash,
          `/api/metrics/series?metric=judge_refusal_scorer_kappa&groupBy=model&from=${bucket}&to=${bucket + step * 1000}&step=${step}`,
        )
        expect(series.status).toBe(200)
        const pt = series.body.series
          .find((s) => s.labels.model.startsWith('kappa-model'))
          ?.points.find((x) => x.n > 0)
        last = JSON.stringify(series.body)
        return pt?.n === 30 ? pt : undefined
      },
      30_000,
      250,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${last}`)
    })
    expect(p?.n).toBe(30)
    // Hand computation from the cell counts (see the header).
    const [a, b, c, d, n] = [8, 3, 4, 15, 30]
    const po = (a + d) / n
    const pe = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
    const k = (po - pe) / (1 - pe)
    expect(k).toBeCloseTo(216 / 426, 12)
    expect(p?.value).toBeCloseTo(216 / 426, 10)
    expect(p?.lo).toBeCloseTo(0.19075, 4)
    expect(p?.hi).toBeCloseTo(0.82333, 4)

    // An alert rule on it fires per model like the other instrument-health rules (the whole interval, up to 0.823, is below 0.9).
    const rule = await api<{ id: string }>(leash, '/api/alert-rules', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Judge kappa below 0.9',
        spec: { kind: 'threshold', metric: 'judge_refusal_scorer_kappa', op: '<', value: 0.9 },
        window: '1h',
        interval: '10s',
        groupBy: ['model'],
      }),
    })
    expect(rule.status).toBe(201)
    type Item = { rule: string; labels: Record<string, string>; evidence: { value?: number | null } }
    const firing = await eventually(
      async () => {
        const list = await api<{ items: Item[] }>(leash, '/api/alerts?state=firing')
        return list.body.items.find((i) => i.rule === 'Judge kappa below 0.9')
      },
      60_000,
      500,
    )
    expect(firing.labels.model).toMatch(/^kappa-model/)
  }, 180_000)
})
