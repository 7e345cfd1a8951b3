import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  asApiError,
  chat,
  noSuccess,
  PROJECT_KEY,
  type RunningGateway,
  startGateway,
  UPSTREAM_KEY,
} from '../support/gateway.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const PROVIDER_KEY = 'sk-proj-CallerOwnProviderKey0123456789abcdef'

let upstream: TestUpstream
let gw: RunningGateway

beforeAll(async () => {
  upstream = await startTestUpstream()
  gw = await startGateway({ upstreamBaseUrl: upstream.baseUrl })
})
afterAll(async () => {
  await gw.stop()
  await upstream.close()
})
beforeEach(() => {
  upstream.setMode({ kind: 'normal' })
  upstream.received.length = 0
  gw.records.length = 0
})

const passThrough = (leashKey = PROJECT_KEY) =>
  new OpenAI({
    apiKey: PROVIDER_KEY,
    baseURL: `${gw.base}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-leash-key': leashKey },
  })

/** Everything the gateway kept: records and log lines. */
const kept = () => JSON.stringify(gw.records) + gw.logs.join('\n')

describe('gateway: auth modes', () => {
  it('pass-through: forwards the caller Authorization unchanged and authenticates by x-leash-key', async () => {
    const client = passThrough()
    const res = await client.chat.completions.create(chat('my own key'))
    expect(res.choices[0]?.message.content).toBe('Hello! You said: my own key')
    const got = upstream.received[0]
    expect(got?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`)
    expect(got?.headers).not.toHaveProperty('x-leash-key')
    expect(JSON.stringify(got?.headers)).not.toContain(PROJECT_KEY)
    expect(await gw.nextRecord()).toMatchObject({ projectId: 'proj_1', outcome: 'ok' })

    const models = await client.models.list()
    expect(models.data.length).toBe(1)
    expect(upstream.received[1]?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`)
  })

  it('leash-held key: the project key never goes upstream, the provider key never comes back', async () => {
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${gw.base}/v1`, maxRetries: 0 })
    await client.chat.completions.create(chat('held key'))
    expect(upstream.received[0]?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    await gw.nextRecord()
  })

  it('rejects an unknown x-leash-key with 401 even when a provider key is present', async () => {
    const err = await passThrough('lsh_wrong_key_000000000000000')
      .chat.completions.create(chat())
      .then(noSuccess, asApiError)
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(upstream.received).toEqual([])
  })

  it('never stores or logs a provider key or Authorization, on success or failure', async () => {
    const client = passThrough()
    await client.chat.completions.create(chat('ok call'))
    const s = await client.chat.completions.create({ ...chat('stream'), stream: true })
    for await (const _ of s) void _
    upstream.setMode({ kind: 'error', status: 500 })
    await client.chat.completions.create(chat()).catch(() => undefined)
    upstream.setMode({ kind: 'garbage' })
    await client.chat.completions.create(chat()).catch(() => undefined)
    const held = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${gw.base}/v1`, maxRetries: 0 })
    upstream.setMode({ kind: 'normal' })
    await held.chat.completions.create(chat('held'))
    while (gw.records.length < 5) await new Promise((r) => setTimeout(r, 5))
    const text = kept()
    for (const secret of [PROVIDER_KEY, UPSTREAM_KEY, PROJECT_KEY, 'Bearer'])
      expect(text).not.toContain(secret)
  })
})
