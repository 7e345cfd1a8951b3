import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  chat,
  PROJECT_KEY,
  type RunningGateway,
  startGateway,
  UPSTREAM_KEY,
  waitFor,
} from '../support/gateway.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const TIMEOUT_MS = 400
const BODY_LIMIT = 64 * 1024

let upstream: TestUpstream
let gw: RunningGateway
let client: OpenAI
const nextRecord = () => waitFor(() => gw.records[0])

beforeAll(async () => {
  upstream = await startTestUpstream()
  gw = await startGateway({
    upstreamBaseUrl: upstream.baseUrl,
    timeoutMs: TIMEOUT_MS,
    bodyLimitBytes: BODY_LIMIT,
  })
  client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${gw.base}/v1`, maxRetries: 0 })
})

afterAll(async () => {
  upstream.release()
  await gw.stop()
  await upstream.close()
})

beforeEach(() => {
  upstream.setMode({ kind: 'normal' })
  upstream.received.length = 0
  upstream.sent.length = 0
  gw.records.length = 0
})

describe('gateway: pass-through', () => {
  it('returns exactly what upstream sent, swaps the key, forwards the original bytes and records the call', async () => {
    const sources = [{ id: 's1', text: 'Paris is the capital of France.', url: 'https://example.com/paris' }]
    const params = {
      ...chat('What is the capital of France?'),
      temperature: 0.2,
      some_future_field: { x: 1 },
    }
    const { data, response } = await client.chat.completions
      .create(params, {
        headers: {
          'x-leash-user': 'user-42',
          'x-leash-session': 'sess-7',
          'x-leash-feature': 'qa',
          'x-leash-policy-version': 'v3',
          'x-leash-tags': 'team=search, tier=gold',
          'x-leash-sources': Buffer.from(JSON.stringify(sources)).toString('base64'),
        },
      })
      .withResponse()

    const sent = upstream.sent[0]
    expect(sent?.status).toBe(200)
    expect(data).toEqual(JSON.parse(sent?.body ?? ''))
    const got = upstream.received[0]
    expect(got?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    expect(got?.body).toBe(JSON.stringify(params))
    expect(Object.keys(got?.headers ?? {}).filter((h) => h.startsWith('x-leash-'))).toEqual([])
    expect(JSON.stringify(got?.headers)).not.toContain(PROJECT_KEY)
    expect(response.headers.get('x-request-id')).toMatch(/^req_\d+$/) // upstream headers pass through

    const r = await nextRecord()
    expect(r.eventId).toBe(response.headers.get('x-leash-event-id'))
    expect(r.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(r).toMatchObject({
      projectId: 'proj_1',
      endpoint: 'chat.completions',
      route: 'default',
      upstream: 'test-upstream',
      model: 'gpt-test-2024',
      stream: false,
      status: 200,
      outcome: 'ok',
      finishReason: 'stop',
      prompt: 'What is the capital of France?',
      responseText: 'Hello! You said: What is the capital of France?',
      request: params.messages,
      tools: [],
      toolCalls: [],
      errorMessage: '',
      sources,
      usage: { promptTokens: 11, completionTokens: 7, cachedTokens: 3 },
      tags: {
        user: 'user-42',
        session: 'sess-7',
        feature: 'qa',
        policyVersion: 'v3',
        extra: { team: 'search', tier: 'gold' },
      },
    })
    expect(r.latencyMs).toBeGreaterThan(0)
    expect(r.ttftMs).not.toBeNull()
    expect(r.ttftMs ?? Infinity).toBeLessThanOrEqual(r.latencyMs)
    expect(Math.abs(r.time - Date.now())).toBeLessThan(5000)
    expect(JSON.stringify(gw.records) + gw.logs.join()).not.toContain(PROJECT_KEY)
  })

  it('strips the leash body field before forwarding and records its sources', async () => {
    const sources = [{ id: 'doc-1', text: 'The sky is blue.' }]
    const params = { ...chat('Why is the sky blue?'), leash: { sources } }
    await client.chat.completions.create(params as OpenAI.ChatCompletionCreateParamsNonStreaming)
    const forwarded = JSON.parse(upstream.received[0]?.body ?? '{}') as Record<string, unknown>
    expect(forwarded).not.toHaveProperty('leash')
    expect(forwarded).toEqual(chat('Why is the sky blue?'))
    expect((await nextRecord()).sources).toEqual(sources)
  })

  it('takes the prompt from the last user turn when content is an array of parts', async () => {
    await client.chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look at' },
            { type: 'text', text: 'this' },
          ],
        },
      ],
    })
    expect((await nextRecord()).prompt).toBe('look at\nthis')
  })

  it('streams chunks one-for-one and records the concatenated text and final usage', async () => {
    upstream.setMode({ kind: 'normal', chunks: 5 })
    const stream = await client.chat.completions.create({
      ...chat('stream me please'),
      stream: true,
      stream_options: { include_usage: true },
    })
    const got: unknown[] = []
    for await (const chunk of stream) got.push(chunk)
    const events = upstream.sent[0]?.events ?? []
    expect(events.length).toBe(7) // 5 deltas, finish, usage
    expect(got).toEqual(events.map((e) => JSON.parse(e)))
    const r = await nextRecord()
    expect(r).toMatchObject({
      stream: true,
      outcome: 'ok',
      status: 200,
      finishReason: 'stop',
      model: 'gpt-test-2024',
      responseText: 'Hello! You said: stream me please',
      usage: { promptTokens: 11, completionTokens: 7, cachedTokens: 3 },
    })
  })

  it('writes each chunk as it arrives instead of buffering the stream', async () => {
    upstream.setMode({ kind: 'hold', chunks: 3 })
    const stream = await client.chat.completions.create({ ...chat('hold on'), stream: true })
    const it = stream[Symbol.asyncIterator]()
    // Upstream is holding after its first event: this only resolves if the gateway passed it through.
    const first = await it.next()
    expect(first.done).toBe(false)
    expect(upstream.sent[0]?.events.length).toBe(1)
    upstream.release()
    let rest = 0
    for (let n = await it.next(); !n.done; n = await it.next()) rest++
    expect(rest).toBe(3)
    expect((await nextRecord()).responseText).toBe('Hello! You said: hold on')
  })

  it('records tool calls, plain and reassembled from streamed deltas', async () => {
    upstream.setMode({ kind: 'tool_calls' })
    const plain = await client.chat.completions.create(chat('weather?'))
    expect(plain).toEqual(JSON.parse(upstream.sent[0]?.body ?? ''))
    const r1 = await nextRecord()
    expect(r1.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }])
    expect(r1.finishReason).toBe('tool_calls')

    gw.records.length = 0
    const stream = await client.chat.completions.create({ ...chat('weather and time?'), stream: true })
    for await (const _ of stream) void _
    const r2 = await nextRecord()
    expect(r2.toolCalls).toEqual([
      { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_b', name: 'get_time', arguments: '{}' },
    ])
    expect(r2).toMatchObject({ finishReason: 'tool_calls', responseText: '', stream: true })
  })

  it('proxies completions (plain and streamed), embeddings and models', async () => {
    const c = await client.completions.create({ model: 'gpt-test-instruct', prompt: 'Once upon' })
    expect(c).toEqual(JSON.parse(upstream.sent[0]?.body ?? ''))
    expect(await nextRecord()).toMatchObject({
      endpoint: 'completions',
      prompt: 'Once upon',
      responseText: 'Completion of: Once upon',
    })

    gw.records.length = 0
    const s = await client.completions.create({ model: 'gpt-test-instruct', prompt: 'a time', stream: true })
    let text = ''
    for await (const chunk of s) text += chunk.choices[0]?.text ?? ''
    expect(text).toBe('Completion of: a time')
    expect(await nextRecord()).toMatchObject({ endpoint: 'completions', stream: true, responseText: text })

    gw.records.length = 0
    const e = await client.embeddings.create({
      model: 'emb-test',
      input: 'vector me',
      encoding_format: 'float',
    })
    expect(e.data[0]?.embedding).toEqual([0.1, 0.2, 0.3])
    expect(await nextRecord()).toMatchObject({
      endpoint: 'embeddings',
      model: 'emb-test-resolved',
      usage: { promptTokens: 4, completionTokens: 0, cachedTokens: 0 },
    })

    const models = await client.models.list()
    expect(models.data.map((m) => m.id)).toEqual(['test-model'])
    expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
  })
})
