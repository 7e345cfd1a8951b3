import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

/** Settings through the API reach the running gateway; route, upstream and cost land in ClickHouse. */
describe('gateway end to end: settings, routes and cost in ClickHouse', () => {
  let upstream: TestUpstream
  let leash: TestLeash
  let client: OpenAI
  let projectId: string

  beforeAll(async () => {
    upstream = await startTestUpstream()
    process.env.LEASH_TEST_ROUTE_KEY = 'sk-route-key-from-env'
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: upstream.baseUrl })
    client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const { body } = await api<{ items: { id: string }[] }>(leash, '/api/projects')
    projectId = body.items[0]?.id ?? ''
  })
  afterAll(async () => {
    delete process.env.LEASH_TEST_ROUTE_KEY
    await leash?.stop()
    await upstream?.close()
  })

  it('rejects invalid settings with 400 naming the field, and needs a login', async () => {
    const bad = await api<{ error: { code: string; message: string } }>(
      leash,
      `/api/projects/${projectId}/settings`,
      { method: 'PUT', body: JSON.stringify({ routes: [{ name: 'r', models: [], upstreams: [] }] }) },
    )
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^settings\.routes\.0\.(models|upstreams)/)
    const anon = await fetch(`${leash.url}/api/projects/${projectId}/settings`)
    expect(anon.status).toBe(401)
  })

  it('routes by the stored settings and records route, upstream and cost', async () => {
    const settings = {
      routes: [
        {
          name: 'mini-route',
          models: ['gpt-4o-mini*'],
          upstreams: [{ name: 'primary-up', baseUrl: upstream.baseUrl, apiKeyEnv: 'LEASH_TEST_ROUTE_KEY' }],
        },
      ],
      prices: { 'my-model': { input: 1, output: 2 } },
    }
    const put = await api<{ settings: { routes: unknown[] } }>(leash, `/api/projects/${projectId}/settings`, {
      method: 'PUT',
      body: JSON.stringify(settings),
    })
    expect(put.status).toBe(200)
    const got = await api<{ settings: { prices: unknown } }>(leash, `/api/projects/${projectId}/settings`)
    expect(got.body.settings.prices).toEqual(settings.prices)

    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'route me' }],
    })
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-route-key-from-env')
    const id = (
      await client.chat.completions
        .create({ model: 'my-model', messages: [{ role: 'user', content: 'default' }] })
        .withResponse()
    ).response.headers.get('x-leash-event-id')

    type Row = { route: string; upstream: string; cost_usd: number; has_usage: boolean; model: string }
    const rows = await eventually(async () => {
      const q = await leash.clickhouse.query({
        query:
          'SELECT route, upstream, cost_usd, has_usage, model FROM raw_responses_v1 WHERE project_id = {p:String} ORDER BY time',
        query_params: { p: projectId },
        format: 'JSONEachRow',
      })
      const list = await q.json<Row>()
      return list.length >= 2 ? list : undefined
    }, 10_000)
    expect(id).toBeTruthy()
    expect(rows[0]).toMatchObject({ route: 'mini-route', upstream: 'primary-up', model: res.model })
    expect(rows[0]?.cost_usd).toBeCloseTo((8 * 0.15 + 3 * 0.075 + 7 * 0.6) / 1e6, 12)
    expect(rows[1]).toMatchObject({ route: 'default', upstream: 'default' })
    expect(rows[1]?.cost_usd).toBeCloseTo((11 * 1 + 7 * 2) / 1e6, 12)
  })
})
