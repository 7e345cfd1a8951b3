import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MASK } from '../../src/gateway/redact.ts'
import { PRICE_TABLE } from '../../src/pricing/index.ts'
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
  gw.setSettings({})
  gw.records.length = 0
})

describe('gateway: cost', () => {
  it('prices a call from the repo table, dated model names included', async () => {
    // The test upstream answers `gpt-4o-mini-2024`, priced as gpt-4o-mini; usage 11 prompt (3 cached), 7 out.
    await client.chat.completions.create(chat('price me', 'gpt-4o-mini'))
    const r = await gw.nextRecord()
    expect(r.model).toBe('gpt-4o-mini-2024')
    const p = PRICE_TABLE['gpt-4o-mini']
    if (!p) throw new Error('gpt-4o-mini missing from the price table')
    expect(r.costUsd).toBeCloseTo((8 * p.input + 3 * (p.cachedInput ?? p.input) + 7 * p.output) / 1e6, 12)
    expect(r.costUsd).toBeGreaterThan(0)
  })

  it('uses the project price overrides, and 0 for an unknown model', async () => {
    await client.chat.completions.create(chat('unpriced', 'my-finetune'))
    expect((await gw.nextRecord()).costUsd).toBe(0)
    gw.setSettings({ prices: { 'my-finetune': { input: 1, output: 2 } } })
    await client.chat.completions.create(chat('priced now', 'my-finetune'))
    expect((await gw.nextRecord()).costUsd).toBeCloseTo((11 * 1 + 7 * 2) / 1e6, 12)
  })
})

describe('gateway: redaction', () => {
  const secret =
    'Mail jane.doe@example.com or call +1 (415) 555-0132, card 4111 1111 1111 1111, key sk-proj-abcdefghijklmnop1234'

  it('masks the record but not the response when the project enables it', async () => {
    gw.setSettings({ redaction: { enabled: true } })
    const sources = [{ id: 's1', text: 'Contact ops at ops@example.org' }]
    const res = await client.chat.completions.create({
      ...chat(secret),
      leash: { sources },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming)
    expect(res.choices[0]?.message.content).toBe(`Hello! You said: ${secret}`) // the caller gets the truth
    const r = await gw.nextRecord()
    const stored = JSON.stringify(r)
    for (const leaked of [
      'jane.doe@example.com',
      '555-0132',
      '4111 1111 1111 1111',
      'sk-proj-abc',
      'ops@example.org',
    ])
      expect(stored).not.toContain(leaked)
    for (const mask of Object.values(MASK)) expect(r.prompt).toContain(mask)
    expect(r.responseText).toContain(MASK.email)
    expect((r.request as Array<{ content: unknown }>)[0]?.content).toBe(r.prompt)
    expect(r.sources[0]?.text).toBe(`Contact ops at ${MASK.email}`)
  })

  it('masks streamed text and tool-call arguments, and only the kinds asked for', async () => {
    gw.setSettings({ redaction: { enabled: true, kinds: ['email'] } })
    const s = await client.chat.completions.create({
      ...chat('write to a@b.io, call +44 20 7946 0958'),
      stream: true,
    })
    let text = ''
    for await (const c of s) text += c.choices[0]?.delta.content ?? ''
    expect(text).toContain('a@b.io')
    const r = await gw.nextRecord()
    expect(r.responseText).toBe(`Hello! You said: write to ${MASK.email}, call +44 20 7946 0958`)
  })

  it('stores everything as is when redaction is off', async () => {
    await client.chat.completions.create(chat(secret))
    expect((await gw.nextRecord()).prompt).toBe(secret)
  })
})

describe('gateway: recorded before the caller sees the end', () => {
  it('hands each record over before the response ends, plain and streaming', async () => {
    const g = await startGateway({ upstreamBaseUrl: upstream.baseUrl })
    try {
      const c = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${g.base}/v1`, maxRetries: 0 })
      await c.chat.completions.create(chat('first'))
      // No waiting: the record was handed to the sink (the spool's write(2)) before the answer ended.
      expect(g.records.map((r) => r.prompt)).toEqual(['first'])
      const stream = await c.chat.completions.create({ ...chat('second'), stream: true })
      for await (const _ of stream) {
      }
      expect(g.records.map((r) => r.prompt)).toEqual(['first', 'second'])
    } finally {
      await g.stop()
    }
  })
})
