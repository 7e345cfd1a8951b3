import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryMetricWindow } from '../../src/metrics/query.ts'
import { rubricHash } from '../../src/scoring/judge/rubrics.ts'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

/**
 * A project names an LLM judge in `scoring.judge`; exchanges through the gateway get `judge:<model>`
 * scores in the background, and the judge's own calls are not recorded as traffic.
 */
describe('LLM judge in a running Leash', () => {
  let leash: TestLeash
  let upstream: TestUpstream
  let judge: Server
  let judgeUrl = ''
  let judged = 0

  beforeAll(async () => {
    upstream = await startTestUpstream()
    judge = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        judged++
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            choices: [{ index: 0, message: { role: 'assistant', content: '{"refusal": "none"}' } }],
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

  it('writes judge scores off the hot path and never records the judge as traffic', async () => {
    const projects = await api<{ items: Array<{ id: string }> }>(leash, '/api/projects')
    const projectId = projects.body.items[0]?.id ?? ''
    const put = await api(leash, `/api/projects/${projectId}/settings`, {
      method: 'PUT',
      body: JSON.stringify({
        scoring: {
          judge: {
            baseUrl: judgeUrl,
            model: 'gpt-4o-mini',
            sampleRate: 1,
            maxPerMinute: 100,
            metrics: ['refusal'],
          },
        },
      }),
    })
    expect(put.status).toBe(200)
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const ids: string[] = []
    for (const q of ['How do I boil an egg?', 'What is the capital of France?', 'Name a prime number']) {
      const { response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: q }] })
        .withResponse()
      ids.push(response.headers.get('x-leash-event-id') ?? '')
    }
    await leash.pipeline.flush()
    const rows = await eventually(
      async () => {
        const rs = await leash.clickhouse.query({
          query: `SELECT toString(event_id) AS id, scorer, scorer_version, name, value, label FROM scores_v1 FINAL WHERE scorer LIKE 'judge:%'`,
          format: 'JSONEachRow',
        })
        const got = (await rs.json()) as Array<{
          id: string
          scorer: string
          scorer_version: string
          name: string
          label: string
        }>
        return got.length === 3 ? got : undefined
      },
      30_000,
      200,
    )
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort())
    expect(
      rows.every((r) => r.scorer === 'judge:gpt-4o-mini' && r.name === 'judge_refusal' && r.label === 'none'),
    ).toBe(true)
    expect(rows[0]?.scorer_version).toBe(rubricHash('refusal'))
    expect(judged).toBe(3)
    const exchanges = await api<{ total: number }>(leash, '/api/exchanges?limit=50')
    expect(exchanges.body.total).toBe(3)

    // The judge's agreement with human labels is an instrument-health metric like any other; an undo counts.
    for (const [i, id] of ids.entries()) {
      const r = await api(leash, '/api/labels', {
        method: 'POST',
        body: JSON.stringify({ eventId: id, values: { refusal: i === 0 ? 'full' : 'none' } }),
      })
      expect(r.status).toBe(201)
    }
    const window = {
      projectId,
      metric: 'judge_refusal_scorer_accuracy',
      from: Date.now() - 3_600_000,
      to: Date.now() + 60_000,
      minSamples: 1,
    }
    expect((await queryMetricWindow(leash.clickhouse, window))[0]).toMatchObject({ n: 3, value: 2 / 3 })
    expect((await api(leash, `/api/labels/${ids[0]}`, { method: 'DELETE' })).status).toBe(200)
    expect((await queryMetricWindow(leash.clickhouse, window))[0]).toMatchObject({ n: 2, value: 1 })
  })
})
