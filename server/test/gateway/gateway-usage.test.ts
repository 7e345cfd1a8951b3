import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { estimateTokens } from '../../src/gateway/tokens.ts'
import { stripUsage, UsageStripper } from '../../src/gateway/usage-strip.ts'
import { chat, PROJECT_KEY, type RunningGateway, startGateway } from '../support/gateway.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

let upstream: TestUpstream
let gw: RunningGateway
let client: OpenAI

beforeAll(async () => {
  upstream = await startTestUpstream()
  gw = await startGateway({ upstreamBaseUrl: upstream.baseUrl })
  client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${gw.base}/v1`, maxRetries: 0 })
})
afterAll(async () => {
  await gw.stop()
  await upstream.close()
})
beforeEach(() => {
  upstream.setMode({ kind: 'normal' })
  upstream.received.length = 0
  upstream.sent.length = 0
  gw.records.length = 0
})

/** The raw SSE text the caller receives (the openai client would hide an extra field or chunk). */
async function rawStream(body: unknown): Promise<string> {
  const res = await fetch(`${gw.base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PROJECT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(200)
  return res.text()
}

const dataLines = (sse: string) =>
  sse
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6))

describe('gateway: streaming usage', () => {
  it('asks upstream for usage when the caller did not, strips it from the stream and records it', async () => {
    upstream.setMode({ kind: 'normal', chunks: 3 })
    const text = await rawStream({ ...chat('count me'), stream: true })
    const forwarded = JSON.parse(upstream.received[0]?.body ?? '{}')
    expect(forwarded.stream_options).toEqual({ include_usage: true })

    const sentEvents = upstream.sent[0]?.events ?? []
    expect(sentEvents.length).toBe(5) // 3 deltas, finish, usage-only
    expect(sentEvents.every((e) => e.includes('"usage"'))).toBe(true)
    const got = dataLines(text)
    expect(got.at(-1)).toBe('[DONE]')
    expect(got.length).toBe(5) // 3 deltas, finish, [DONE]: the usage chunk is gone
    expect(text).not.toContain('usage')
    // Everything else arrives unchanged, chunk for chunk.
    const expected = sentEvents.slice(0, 4).map((e) => {
      const { usage: _, ...rest } = JSON.parse(e)
      return rest
    })
    expect(got.slice(0, 4).map((e) => JSON.parse(e))).toEqual(expected)

    const r = await gw.nextRecord()
    expect(r).toMatchObject({
      outcome: 'ok',
      responseText: 'Hello! You said: count me',
      usage: { promptTokens: 11, completionTokens: 7, cachedTokens: 3 },
      usageFromUpstream: true,
    })
  })

  it('strips correctly when events straddle network chunks', async () => {
    upstream.setMode({ kind: 'normal', chunks: 3, splitBytes: 7 })
    const text = await rawStream({ ...chat('split me'), stream: true })
    expect(text).not.toContain('usage')
    expect(dataLines(text).length).toBe(5)
    const r = await gw.nextRecord()
    expect(r.usage).toEqual({ promptTokens: 11, completionTokens: 7, cachedTokens: 3 })
    expect(r.responseText).toBe('Hello! You said: split me')
  })

  it('leaves a caller that asked for usage alone: same bytes forwarded, usage chunk delivered', async () => {
    const body = { ...chat('with usage'), stream: true as const, stream_options: { include_usage: true } }
    const stream = await client.chat.completions.create(body)
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const c of stream) chunks.push(c)
    expect(upstream.received[0]?.body).toBe(JSON.stringify(body))
    expect(chunks.at(-1)?.usage?.prompt_tokens).toBe(11)
    expect(chunks.length).toBe(upstream.sent[0]?.events.length)
    expect((await gw.nextRecord()).usageFromUpstream).toBe(true)
  })

  it('does not touch non-streaming calls or completions streams', async () => {
    await client.chat.completions.create(chat('plain'))
    expect(upstream.received[0]?.body).toBe(JSON.stringify(chat('plain')))
    const s = await client.completions.create({ model: 'gpt-test-instruct', prompt: 'x', stream: true })
    for await (const _ of s) void _
    expect(JSON.parse(upstream.received[1]?.body ?? '{}')).not.toHaveProperty('stream_options')
  })

  it('counts tokens locally when upstream reports no usage, and says so', async () => {
    upstream.setMode({ kind: 'no_usage', chunks: 3 })
    const stream = await client.chat.completions.create({ ...chat('no usage here please'), stream: true })
    for await (const _ of stream) void _
    const r = await gw.nextRecord()
    expect(r.usageFromUpstream).toBe(false)
    // 'Hello! You said: no usage here please' -> Hello ! You said : no usage here please = 9
    expect(r.usage?.completionTokens).toBe(estimateTokens(r.responseText))
    expect(r.usage?.completionTokens).toBe(9)
    // 3 priming + (3 + 'user' 1 + 4 words) = 11
    expect(r.usage?.promptTokens).toBe(11)

    await client.chat.completions.create(chat('plain one'))
    const plain = await gw.nextRecord()
    expect(plain.usageFromUpstream).toBe(false)
    expect(plain.usage?.completionTokens).toBeGreaterThan(0)

    await client.embeddings.create({ model: 'emb', input: 'four words right here' })
    const emb = await gw.nextRecord()
    expect(emb).toMatchObject({ usageFromUpstream: false, usage: { promptTokens: 4, completionTokens: 0 } })
  })
})

describe('usage stripper', () => {
  const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`
  const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' }
  const stream = [
    ev({ ...base, choices: [{ index: 0, delta: { content: 'he said "usage": {x}' } }], usage: null }),
    ev({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null }),
    ev({ ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }),
    'data: [DONE]\n\n',
  ].join('')
  const expected = [
    ev({ ...base, choices: [{ index: 0, delta: { content: 'he said "usage": {x}' } }] }),
    ev({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    'data: [DONE]\n\n',
  ].join('')

  it('removes the usage-only event and the null members, keeping content that mentions usage', () => {
    expect(stripUsage(Buffer.from(stream)).toString()).toBe(expected)
  })

  it('gives the same output wherever the network splits the stream', () => {
    const bytes = Buffer.from(stream)
    for (let a = 1; a < bytes.length; a += 3) {
      for (const b of [a + 1, a + 17, a + 90]) {
        const s = new UsageStripper()
        const parts = [bytes.subarray(0, a), bytes.subarray(a, Math.min(b, bytes.length)), bytes.subarray(b)]
        const out = parts.map((p) => s.push(p).toString()).join('') + (s.flush()?.toString() ?? '')
        expect(out).toBe(expected)
      }
    }
  })

  it('handles CRLF event boundaries and passes chunks without usage through as the same buffer', () => {
    const crlf = stream.replaceAll('\n', '\r\n')
    expect(stripUsage(Buffer.from(crlf)).toString()).toBe(expected.replaceAll('\n', '\r\n'))
    const plain = Buffer.from(ev({ ...base, choices: [] }))
    expect(new UsageStripper().push(plain)).toBe(plain)
  })
})

describe('local token estimate', () => {
  it('matches cl100k on short English and counts digits in groups of three', () => {
    expect(estimateTokens('The quick brown fox jumps over the lazy dog.')).toBe(10)
    expect(estimateTokens('Hello, world!')).toBe(4)
    expect(estimateTokens('1234567')).toBe(3)
    expect(estimateTokens('')).toBe(0)
  })

  it('stays near 4 characters per token on English prose', () => {
    const prose =
      'Leash sits in front of a model endpoint as a gateway, logs every response, runs the reward model ' +
      'and a set of classifiers over each one, stores the resulting metrics and raises alerts that an ' +
      'on-call engineer reviews. Each week it writes a drift report comparing this week with the last.'
    const ratio = prose.length / estimateTokens(prose)
    expect(ratio).toBeGreaterThan(3.5)
    expect(ratio).toBeLessThan(5.5)
  })
})
