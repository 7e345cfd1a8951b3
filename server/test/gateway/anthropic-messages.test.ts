import Anthropic from '@anthropic-ai/sdk'
import type { ExchangeDetail } from '@leash/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiUpstream, startApiUpstream } from '../support/api-upstreams.ts'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

const TOOLS = [
  {
    name: 'get_weather',
    description: 'Weather in a city',
    input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
  },
]

/** The Anthropic Messages API through a running Leash, with the official `@anthropic-ai/sdk` client. */
describe('POST /v1/messages', () => {
  let upstream: ApiUpstream
  let leash: TestLeash
  let client: Anthropic

  beforeAll(async () => {
    upstream = await startApiUpstream()
    leash = await startTestLeash({
      mode: 'embedded',
      upstreamUrl: `${upstream.origin}/v1`,
      env: { LEASH_ANTHROPIC_UPSTREAM_URL: upstream.origin, LEASH_ANTHROPIC_API_KEY: 'sk-ant-upstream' },
    })
    client = new Anthropic({ apiKey: PROJECT_KEY, baseURL: leash.url, maxRetries: 0 })
  }, 120_000) // starting a Leash takes long on a busy machine
  afterAll(async () => {
    await leash?.stop()
    await upstream?.close()
  })

  async function detail(id: string): Promise<ExchangeDetail> {
    await leash.pipeline.flush()
    return eventually(async () => {
      const { status, body } = await api<ExchangeDetail>(leash, `/api/exchanges/${id}`)
      if (status !== 200) throw new Error(`status ${status}: ${JSON.stringify(body)}`)
      return body.scorers.some((s) => s.name === 'refusal') ? body : undefined
    }, 20_000)
  }

  it('takes the Leash key as the SDK sends it, sends the provider key upstream, passes bytes through', async () => {
    const { data, response } = await client.messages
      .create(
        {
          model: 'claude-sonnet-4-5',
          max_tokens: 64,
          system: 'Be brief.',
          messages: [{ role: 'user', content: 'What is the capital of France?' }],
        },
        { headers: { 'anthropic-beta': 'tools-2024-04-04', 'anthropic-version': '2023-06-01' } },
      )
      .withResponse()
    expect(data.content[0]).toEqual({ type: 'text', text: 'Claude heard: What is the capital of France?' })
    const seen = upstream.received.at(-1)
    expect(seen?.path).toBe('/v1/messages')
    expect(seen?.headers['x-api-key']).toBe('sk-ant-upstream')
    expect(seen?.headers['anthropic-version']).toBe('2023-06-01')
    expect(seen?.headers['anthropic-beta']).toBe('tools-2024-04-04')
    expect(JSON.stringify(seen?.headers)).not.toContain(PROJECT_KEY)

    const raw = await client.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .asResponse()
    expect(await raw.text()).toBe(upstream.sent.at(-1))

    const d = await detail(response.headers.get('x-leash-event-id') ?? '')
    expect(d.endpoint).toBe('messages')
    expect(d.model).toBe('claude-sonnet-4-5')
    expect(d.responseText).toBe('Claude heard: What is the capital of France?')
    expect(d.prompt).toBe('What is the capital of France?')
    expect(d.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is the capital of France?' },
    ])
    // 20 fresh + 5 cached prompt tokens; cost from the price table ($3 / $0.3 / $15 per million).
    expect(d.usage).toEqual({ promptTokens: 25, completionTokens: 11, cachedTokens: 5 })
    expect(d.costUsd).toBeCloseTo((20 * 3 + 5 * 0.3 + 11 * 15) / 1e6, 12)
    expect(d.finishReason).toBe('end_turn')
    expect(d.scores.refusal).toBeDefined()
  }, 60_000)

  it('streams message events unchanged and reassembles text, tool_use and usage', async () => {
    const stream = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      tools: TOOLS,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream: true,
    })
    const types: string[] = []
    for await (const ev of stream) types.push(ev.type)
    expect(types[0]).toBe('message_start')
    expect(types).toContain('message_delta')
    expect(types.at(-1)).toBe('message_stop')

    const raw = await client.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        tools: TOOLS,
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        stream: true,
      })
      .asResponse()
    const id = raw.headers.get('x-leash-event-id') ?? ''
    expect(await raw.text()).toBe(upstream.sent.at(-1))

    const d = await detail(id)
    expect(d.stream).toBe(true)
    expect(d.responseText).toBe('Claude heard: Weather in Paris?')
    expect(d.toolCalls).toEqual([{ id: 'toolu_1', name: 'get_weather', arguments: '{"city": "Paris"}' }])
    expect(d.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather in a city',
          parameters: TOOLS[0]?.input_schema,
        },
      },
    ])
    expect(d.usage).toEqual({ promptTokens: 25, completionTokens: 11, cachedTokens: 5 })
    expect(d.finishReason).toBe('tool_use')
  }, 60_000)

  it('keeps the provider key in pass-through mode (x-api-key or Bearer) and never stores it', async () => {
    // Older SDKs and Claude Code send x-api-key; this SDK sends a Bearer: both pass through as sent.
    const viaHeader = await fetch(`${leash.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': 'sk-ant-caller',
        'x-leash-key': PROJECT_KEY,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'claude-haiku-4-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    })
    expect(viaHeader.status).toBe(200)
    expect(upstream.received.at(-1)?.headers['x-api-key']).toBe('sk-ant-caller')
    const passing = new Anthropic({
      apiKey: 'sk-ant-caller',
      baseURL: leash.url,
      maxRetries: 0,
      defaultHeaders: { 'x-leash-key': PROJECT_KEY },
    })
    const { response } = await passing.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hello' }] })
      .withResponse()
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-ant-caller')
    expect(upstream.received.at(-1)?.headers['x-api-key']).toBeUndefined()
    const d = await detail(response.headers.get('x-leash-event-id') ?? '')
    expect(JSON.stringify(d)).not.toContain('sk-ant-caller')
  }, 60_000)

  it('routes a model to a route whose upstream speaks Anthropic, with its own key', async () => {
    process.env.LEASH_TEST_ANT_KEY = 'sk-ant-caller' // the loopback upstream accepts this key too
    const projectId = leash.bootstrap.defaultProjectId
    const route = {
      name: 'claude-route',
      models: ['claude-opus-*'],
      upstreams: [
        { name: 'ant-route', baseUrl: upstream.origin, api: 'anthropic', apiKeyEnv: 'LEASH_TEST_ANT_KEY' },
      ],
    }
    const put = await api(leash, `/api/projects/${projectId}/settings`, {
      method: 'PUT',
      body: JSON.stringify({ routes: [route] }),
    })
    expect(put.status).toBe(200)
    try {
      const { response } = await client.messages
        .create({ model: 'claude-opus-4-1', max_tokens: 8, messages: [{ role: 'user', content: 'routed?' }] })
        .withResponse()
      expect(upstream.received.at(-1)?.headers['x-api-key']).toBe('sk-ant-caller')
      const d = await detail(response.headers.get('x-leash-event-id') ?? '')
      expect(d.route).toBe('claude-route')
      expect(d.upstream).toBe('ant-route')
    } finally {
      await api(leash, `/api/projects/${projectId}/settings`, {
        method: 'PUT',
        body: JSON.stringify({ routes: [] }),
      })
      delete process.env.LEASH_TEST_ANT_KEY
    }
  }, 60_000)

  it('answers its own errors in the Anthropic shape, which the SDK reads', async () => {
    const wrong = new Anthropic({ apiKey: 'not-a-leash-key', baseURL: leash.url, maxRetries: 0 })
    const err = await wrong.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError)
    const bad = await fetch(`${leash.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': PROJECT_KEY, 'content-type': 'text/plain' },
      body: 'not json',
    })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
    const big = await fetch(`${leash.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': PROJECT_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        messages: [{ role: 'user', content: 'x'.repeat(12 * 1024 * 1024) }],
      }),
    })
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } })
  }, 60_000)
})
