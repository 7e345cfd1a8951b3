import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  asApiError,
  chat,
  noSuccess,
  PROJECT_KEY,
  type RunningGateway,
  startGateway,
  waitFor,
} from '../support/gateway.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const TIMEOUT_MS = 400
const BODY_LIMIT = 64 * 1024

let upstream: TestUpstream
let gw: RunningGateway
let client: OpenAI
const nextRecord = () => waitFor(() => gw.records[0])

/** Every error case ends with this: the gateway still serves a normal call. */
async function expectHealthy() {
  upstream.setMode({ kind: 'normal' })
  const res = await client.chat.completions.create(chat('still alive?'))
  expect(res.choices[0]?.message.content).toBe('Hello! You said: still alive?')
}

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
    // Leash asked for usage on the caller's behalf, so the `"usage":null` members are stripped again.
    const { usage: _, ...plain } = { usage: null, ...JSON.parse(upstream.sent[0]?.events[0] ?? '{}') }
    expect(upstream.sent[0]?.events[0]).toContain('"usage":null')
    expect(got[0]).toEqual(plain)
    expect(got.length).toBe(2)
    const r = await nextRecord()
    expect(r).toMatchObject({ outcome: 'stream_error', status: 200, stream: true })
    expect(r.responseText).toBe('Hello! You ')
    expect(r.errorMessage).toContain('test-upstream')
    await expectHealthy()
  })

  it('cuts the caller off when upstream cuts a JSON body, and records stream_error (not client_aborted)', async () => {
    upstream.setMode({ kind: 'cut_body' })
    const err = await client.chat.completions.create(chat('cut my body')).then(noSuccess, (e: unknown) => e)
    // The caller must not mistake half a JSON body for a whole one: its connection is cut too (the
    // client's fetch reports the body read as terminated).
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe('terminated')
    const r = await nextRecord()
    expect(r).toMatchObject({ outcome: 'stream_error', status: 200, stream: false })
    expect(r.errorMessage).toContain('test-upstream closed the connection mid-response')
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

  it('retries once on a fresh connection when a kept-alive socket turns out closed', async () => {
    await client.chat.completions.create(chat('warm the pool'))
    upstream.setMode({ kind: 'drop_reused' })
    upstream.received.length = 0
    const res = await client.chat.completions.create(chat('after idle'))
    expect(res.choices[0]?.message.content).toBe('Hello! You said: after idle')
    expect(upstream.received.length).toBe(2) // the dropped attempt, then the fresh one
    await expectHealthy()
  })

  it('answers 502 naming the upstream when it refuses connections', async () => {
    const dead = await startTestUpstream()
    const deadUrl = dead.baseUrl
    await dead.close()
    const g = await startGateway({ upstreamBaseUrl: deadUrl, timeoutMs: TIMEOUT_MS })
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
      await g.stop()
    }
    await expectHealthy()
  })
})
