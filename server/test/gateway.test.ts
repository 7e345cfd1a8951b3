import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createGateway, type Gateway } from '../src/gateway/index.ts'
import type { ExchangeRecord } from '../src/ingest/exchange.ts'
import { startTestUpstream, type TestUpstream } from './support/upstream.ts'

const PROJECT_KEY = 'lsh_test_project_key_0123456789'
const UPSTREAM_KEY = 'sk-upstream-secret-key'
const TIMEOUT_MS = 400
const BODY_LIMIT = 64 * 1024

interface Running {
  gateway: Gateway
  server: Server
  base: string
  records: ExchangeRecord[]
  logs: string[]
}

async function startGateway(upstreamBaseUrl: string): Promise<Running> {
  const records: ExchangeRecord[] = []
  const logs: string[] = []
  const keys = new Map([[PROJECT_KEY, { projectId: 'proj_1' }]])
  const gateway = createGateway({
    upstream: { baseUrl: upstreamBaseUrl, apiKey: UPSTREAM_KEY, name: 'test-upstream' },
    keys: { resolve: async (raw) => keys.get(raw) ?? null },
    sink: { record: (r) => records.push(r) },
    bodyLimitBytes: BODY_LIMIT,
    upstreamTimeoutMs: TIMEOUT_MS,
    log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
  })
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/')) return gateway.handle(req, res)
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { gateway, server, base, records, logs }
}

async function stopGateway(g: Running) {
  g.server.closeAllConnections()
  await new Promise((r) => g.server.close(r))
  await g.gateway.close()
}

async function waitFor<T>(fn: () => T | undefined, ms = 3000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}

const noSuccess = (): never => {
  throw new Error('expected the call to fail')
}
const asApiError = (e: unknown): APIError => {
  if (e instanceof APIError) return e
  throw e
}

let upstream: TestUpstream
let gw: Running
let client: OpenAI
const nextRecord = () => waitFor(() => gw.records[0])
const chat = (content = 'hi there') => ({ model: 'gpt-test', messages: [{ role: 'user' as const, content }] })

/** Every error case ends with this: the gateway still serves a normal call. */
async function expectHealthy() {
  upstream.setMode({ kind: 'normal' })
  const res = await client.chat.completions.create(chat('still alive?'))
  expect(res.choices[0]?.message.content).toBe('Hello! You said: still alive?')
}

beforeAll(async () => {
  upstream = await startTestUpstream()
  gw = await startGateway(upstream.baseUrl)
  client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${gw.base}/v1`, maxRetries: 0 })
})

afterAll(async () => {
  upstream.release()
  await stopGateway(gw)
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
      requestJson: JSON.stringify(params.messages),
      toolsJson: '',
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

async function rawPost(path: string, body: string, key: string | null = PROJECT_KEY) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key) headers.authorization = `Bearer ${key}`
  const res = await fetch(`${gw.base}${path}`, { method: 'POST', headers, body })
  return { status: res.status, body: (await res.json()) as { error: Record<string, unknown> } }
}

function expectOpenAiError(body: { error: Record<string, unknown> }) {
  expect(Object.keys(body)).toEqual(['error'])
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  expect(String(body.error.message)).not.toMatch(/\n\s+at /)
}

describe('gateway: errors', () => {
  it('rejects a missing or unknown key with 401 and forwards nothing', async () => {
    const bad = new OpenAI({
      apiKey: 'lsh_not_a_real_key_000000000',
      baseURL: `${gw.base}/v1`,
      maxRetries: 0,
    })
    const err = await bad.chat.completions.create(chat()).then(noSuccess, asApiError)
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(err.code).toBe('invalid_api_key')
    const missing = await rawPost('/v1/chat/completions', JSON.stringify(chat()), null)
    expect(missing.status).toBe(401)
    expectOpenAiError(missing.body)
    expect(upstream.received).toEqual([])
    await expectHealthy()
  })

  it('answers malformed JSON, a non-object body, missing messages, model or prompt with 400', async () => {
    const malformed = await rawPost('/v1/chat/completions', '{"model": "x", messages: [')
    expect(malformed.status).toBe(400)
    expectOpenAiError(malformed.body)
    expect(malformed.body.error.type).toBe('invalid_request_error')
    expect((await rawPost('/v1/chat/completions', '[1,2]')).status).toBe(400)

    const noMessages = await client.chat.completions
      .create({ model: 'gpt-test', messages: [] })
      .then(noSuccess, asApiError)
    expect(noMessages).toBeInstanceOf(OpenAI.BadRequestError)
    expect(noMessages.param).toBe('messages')
    const noModel = await rawPost('/v1/chat/completions', JSON.stringify({ messages: chat().messages }))
    expect(noModel.body.error.param).toBe('model')
    const noPrompt = await client.completions
      .create({ model: 'x' } as OpenAI.CompletionCreateParamsNonStreaming)
      .then(noSuccess, asApiError)
    expect(noPrompt.param).toBe('prompt')
    expect(upstream.received).toEqual([])
    const r = await nextRecord()
    expect(r).toMatchObject({ status: 400, outcome: 'gateway_error', projectId: 'proj_1' })
    expect(r.errorMessage).not.toBe('')
    await expectHealthy()
  })

  it('rejects invalid sources in the header or the body with a clear 400', async () => {
    const header = await client.chat.completions
      .create(chat(), {
        headers: { 'x-leash-sources': Buffer.from('{"not":"an array"}').toString('base64') },
      })
      .then(noSuccess, asApiError)
    expect(header).toBeInstanceOf(OpenAI.BadRequestError)
    expect(header.message).toContain('x-leash-sources')
    const body = await client.chat.completions
      .create({ ...chat(), leash: { sources: [{ id: 1 }] } } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .then(noSuccess, asApiError)
    expect(body).toBeInstanceOf(OpenAI.BadRequestError)
    expect(body.message).toContain('leash.sources')
    expect(upstream.received).toEqual([])
    await expectHealthy()
  })

  it('answers a body over the limit with 413', async () => {
    const err = await client.chat.completions
      .create(chat('x'.repeat(BODY_LIMIT * 3)))
      .then(noSuccess, asApiError)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.status).toBe(413)
    expect(upstream.received).toEqual([])
    expect((await nextRecord()).status).toBe(413)
    await expectHealthy()
  })

  it('answers an unknown /v1 path with an OpenAI-shaped 404', async () => {
    const res = await rawPost('/v1/nothing/here', '{}')
    expect(res.status).toBe(404)
    expectOpenAiError(res.body)
    await expectHealthy()
  })

  it('passes an upstream 500 through as-is and records it', async () => {
    upstream.setMode({ kind: 'error', status: 500 })
    const err = await client.chat.completions.create(chat()).then(noSuccess, asApiError)
    expect(err).toBeInstanceOf(OpenAI.InternalServerError)
    expect(err.status).toBe(500)
    expect(err.error).toEqual(JSON.parse(upstream.sent[0]?.body ?? '').error)
    expect(await nextRecord()).toMatchObject({
      status: 500,
      outcome: 'upstream_error',
      errorMessage: 'upstream returned HTTP 500',
    })
    await expectHealthy()
  })

  it('passes a non-JSON upstream body through byte for byte', async () => {
    upstream.setMode({ kind: 'garbage' })
    const res = await fetch(`${gw.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PROJECT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat()),
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(upstream.sent[0]?.body)
    expect(await nextRecord()).toMatchObject({
      outcome: 'upstream_error',
      errorMessage: 'upstream response could not be parsed',
    })
    await expectHealthy()
  })

  it('answers 504 naming the upstream when it is too slow', async () => {
    upstream.setMode({ kind: 'slow', delayMs: TIMEOUT_MS * 3 })
    const err = await client.chat.completions.create(chat()).then(noSuccess, asApiError)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.status).toBe(504)
    expect(err.message).toContain('test-upstream')
    expect(await nextRecord()).toMatchObject({ status: 504, outcome: 'upstream_error', ttftMs: null })
    await expectHealthy()
  })

  it('ends a stream cleanly when upstream cuts it and records stream_error', async () => {
    upstream.setMode({ kind: 'cut', afterChunks: 2 })
    const stream = await client.chat.completions.create({ ...chat('cut me'), stream: true })
    const got: unknown[] = []
    for await (const chunk of stream) got.push(chunk)
    expect(got).toEqual(upstream.sent[0]?.events.map((e) => JSON.parse(e)))
    expect(got.length).toBe(2)
    const r = await nextRecord()
    expect(r).toMatchObject({ outcome: 'stream_error', status: 200, stream: true })
    expect(r.responseText).toBe('Hello! You ')
    expect(r.errorMessage).toContain('test-upstream')
    await expectHealthy()
  })

  it('aborts the upstream request when the client disconnects and records client_aborted', async () => {
    upstream.setMode({ kind: 'hold' })
    const ac = new AbortController()
    const stream = await client.chat.completions.create(
      { ...chat('bye'), stream: true },
      { signal: ac.signal },
    )
    const it = stream[Symbol.asyncIterator]()
    await it.next()
    ac.abort()
    await it.next().catch(() => undefined)
    await waitFor(() => (upstream.sent[0]?.closedEarly ? true : undefined))
    const r = await nextRecord()
    expect(r).toMatchObject({ outcome: 'client_aborted', stream: true })
    upstream.release()
    await expectHealthy()
  })

  it('answers 502 naming the upstream when it refuses connections', async () => {
    const dead = await startTestUpstream()
    const deadUrl = dead.baseUrl
    await dead.close()
    const g = await startGateway(deadUrl)
    try {
      const c = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${g.base}/v1`, maxRetries: 0 })
      const err = await c.chat.completions.create(chat()).then(noSuccess, asApiError)
      expect(err).toBeInstanceOf(OpenAI.APIError)
      expect(err.status).toBe(502)
      expect(err.message).toContain('test-upstream')
      expect(await waitFor(() => g.records[0])).toMatchObject({ status: 502, outcome: 'upstream_error' })
      const again = await c.chat.completions.create(chat()).then(noSuccess, asApiError)
      expect(again.status).toBe(502)
    } finally {
      await stopGateway(g)
    }
    await expectHealthy()
  })
})
