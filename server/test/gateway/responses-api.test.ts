import type { ExchangeDetail } from '@leash/shared'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiUpstream, startApiUpstream } from '../support/api-upstreams.ts'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

const TOOLS = [
  {
    type: 'function' as const,
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: true,
  },
]

/** The OpenAI Responses API through a running Leash, with the official `openai` client. */
describe('POST /v1/responses', () => {
  let upstream: ApiUpstream
  let leash: TestLeash
  let client: OpenAI

  beforeAll(async () => {
    upstream = await startApiUpstream()
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: `${upstream.origin}/v1` })
    client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
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

  it('passes a plain answer through byte for byte and records text, usage and scores', async () => {
    const { data, response } = await client.responses
      .create({ model: 'gpt-test', instructions: 'Be brief.', input: 'What is the capital of France?' })
      .withResponse()
    expect(data.output_text).toBe('You asked: What is the capital of France?')
    const raw = await client.responses
      .create({ model: 'gpt-test', input: 'What is the capital of France?' })
      .asResponse()
    expect(await raw.text()).toBe(upstream.sent.at(-1))
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-upstream-secret')

    const d = await detail(response.headers.get('x-leash-event-id') ?? '')
    expect(d.endpoint).toBe('responses')
    expect(d.model).toBe('gpt-test-2025')
    expect(d.outcome).toBe('ok')
    expect(d.responseText).toBe('You asked: What is the capital of France?')
    expect(d.prompt).toBe('What is the capital of France?')
    expect(d.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is the capital of France?' },
    ])
    expect(d.usage).toEqual({ promptTokens: 12, completionTokens: 9, cachedTokens: 2 })
    expect(d.usageSource).toBe('upstream')
    expect(d.finishReason).toBe('completed')
    expect(d.scores.refusal).toBeDefined()
  }, 60_000)

  it('streams typed events unchanged and reassembles text and function calls from them', async () => {
    const stream = await client.responses.create({
      model: 'gpt-test',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] }],
      tools: TOOLS,
      stream: true,
    })
    const types: string[] = []
    let text = ''
    for await (const ev of stream) {
      types.push(ev.type)
      if (ev.type === 'response.output_text.delta') text += ev.delta
    }
    expect(types[0]).toBe('response.created')
    expect(types.at(-1)).toBe('response.completed')
    expect(text).toBe('You asked: Weather in Paris?')

    const raw = await client.responses
      .create({ model: 'gpt-test', input: 'Weather in Paris?', tools: TOOLS, stream: true })
      .asResponse()
    expect(raw.headers.get('content-type')).toContain('text/event-stream')
    const id = raw.headers.get('x-leash-event-id') ?? ''
    expect(await raw.text()).toBe(upstream.sent.at(-1))

    const d = await detail(id)
    expect(d.endpoint).toBe('responses')
    expect(d.stream).toBe(true)
    expect(d.responseText).toBe('You asked: Weather in Paris?')
    expect(d.toolCalls).toEqual([{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' }])
    expect(d.tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather in a city', parameters: TOOLS[0]?.parameters },
      },
    ])
    expect(d.usage).toEqual({ promptTokens: 12, completionTokens: 9, cachedTokens: 2 })
  }, 60_000)

  it('passes GET /v1/responses/:id through, and answers bad input in OpenAI shape', async () => {
    const got = await client.responses.retrieve('resp_123')
    expect(got.id).toBe('resp_123')
    expect(upstream.received.at(-1)?.path).toBe('/v1/responses/resp_123')

    const bad = await fetch(`${leash.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PROJECT_KEY}`, 'content-type': 'application/json' },
      body: '{"model": "gpt-test", "input": 42}',
    })
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as { error: { message: string; type: string; param: string } }
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'input' })
    const traversal = await fetch(`${leash.url}/v1/responses/..%2f..%2fadmin`, {
      headers: { authorization: `Bearer ${PROJECT_KEY}` },
    })
    expect(traversal.status).toBe(404)
  }, 30_000)
})
