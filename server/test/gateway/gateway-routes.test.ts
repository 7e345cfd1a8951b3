import type { ProjectSettingsInput } from '@leash/shared'
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

let a: TestUpstream
let b: TestUpstream
let fallback: TestUpstream
let deadUrl: string
let gw: RunningGateway
let client: OpenAI

const route = (
  upstreams: NonNullable<ProjectSettingsInput['routes']>[number]['upstreams'],
  models = ['gpt-*'],
): ProjectSettingsInput => ({ routes: [{ name: 'primary', models, upstreams }] })

beforeAll(async () => {
  ;[a, b, fallback] = await Promise.all([startTestUpstream(), startTestUpstream(), startTestUpstream()])
  const dead = await startTestUpstream()
  deadUrl = dead.baseUrl
  await dead.close()
  gw = await startGateway({
    upstreamBaseUrl: fallback.baseUrl,
    timeoutMs: 2000,
    env: { ROUTE_A_KEY: 'sk-route-a-secret', ROUTE_B_KEY: 'sk-route-b-secret' },
  })
  client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${gw.base}/v1`, maxRetries: 0 })
})
afterAll(async () => {
  a.release()
  await gw.stop()
  await Promise.all([a.close(), b.close(), fallback.close()])
})
beforeEach(() => {
  for (const u of [a, b, fallback]) {
    u.setMode({ kind: 'normal' })
    u.received.length = 0
    u.sent.length = 0
  }
  gw.records.length = 0
})

const up = (name: string, u: TestUpstream | string, extra: Record<string, unknown> = {}) => ({
  name,
  baseUrl: typeof u === 'string' ? u : u.baseUrl,
  ...extra,
})

describe('gateway: routes', () => {
  it('sends a matching model to its route with the route key and model map; others go to the default', async () => {
    gw.setSettings(
      route([up('a', a, { apiKeyEnv: 'ROUTE_A_KEY', modelMap: { 'gpt-test': 'provider-model-7' } })]),
    )
    const res = await client.chat.completions.create(chat('routed'))
    expect(res.choices[0]?.message.content).toBe('Hello! You said: routed')
    expect(a.received[0]?.headers.authorization).toBe('Bearer sk-route-a-secret')
    expect(JSON.parse(a.received[0]?.body ?? '{}').model).toBe('provider-model-7')
    expect(await gw.nextRecord()).toMatchObject({ route: 'primary', upstream: 'a', outcome: 'ok' })

    await client.chat.completions.create(chat('not routed', 'claude-test'))
    expect(fallback.received[0]?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    expect(fallback.received[0]?.body).toBe(JSON.stringify(chat('not routed', 'claude-test')))
    expect(await gw.nextRecord()).toMatchObject({ route: 'default', upstream: 'test-upstream' })
  })

  it('falls back to the next upstream when the first refuses the connection', async () => {
    gw.setSettings(route([up('dead', deadUrl), up('b', b)]))
    const res = await client.chat.completions.create(chat('fallback'))
    expect(res.choices[0]?.message.content).toBe('Hello! You said: fallback')
    expect(b.received.length).toBe(1)
    const r = await gw.nextRecord()
    expect(r).toMatchObject({ route: 'primary', upstream: 'b', outcome: 'ok', status: 200 })
    expect(r.errorMessage).toContain('dead refused the connection')
  })

  it('falls back on a 5xx before the first byte, and on a timeout', async () => {
    gw.setSettings(route([up('a', a), up('b', b)]))
    a.setMode({ kind: 'error', status: 503 })
    await client.chat.completions.create(chat('503'))
    expect([a.received.length, b.received.length]).toEqual([1, 1])
    expect(await gw.nextRecord()).toMatchObject({ upstream: 'b', status: 200 })

    gw.setSettings(route([up('a', a, { timeoutMs: 150 }), up('b', b)]))
    a.setMode({ kind: 'slow', delayMs: 1000 })
    const t0 = performance.now()
    await client.chat.completions.create(chat('slow'))
    expect(performance.now() - t0).toBeLessThan(900)
    const r = await gw.nextRecord()
    expect(r).toMatchObject({ upstream: 'b', status: 200 })
    expect(r.errorMessage).toContain('a did not respond within 150 ms')
  })

  it('falls back when the first upstream drops the connection, and skips an upstream with no key', async () => {
    gw.setSettings(
      route([up('a', a, { apiKeyEnv: 'NOT_SET_ANYWHERE' }), up('b', b, { apiKeyEnv: 'ROUTE_B_KEY' })]),
    )
    await client.chat.completions.create(chat('no key'))
    expect(a.received.length).toBe(0)
    expect(b.received[0]?.headers.authorization).toBe('Bearer sk-route-b-secret')
    expect((await gw.nextRecord()).errorMessage).toContain('NOT_SET_ANYWHERE')

    gw.setSettings(route([up('a', a), up('b', b)]))
    a.setMode({ kind: 'cut_before_headers' })
    await client.chat.completions.create(chat('dropped'))
    expect(await gw.nextRecord()).toMatchObject({ upstream: 'b', status: 200 })
  })

  it('passes the last upstream 5xx through as-is when every upstream fails', async () => {
    gw.setSettings(route([up('dead', deadUrl), up('b', b)]))
    b.setMode({ kind: 'error', status: 500 })
    const err = await client.chat.completions.create(chat()).then(noSuccess, asApiError)
    expect(err).toBeInstanceOf(OpenAI.InternalServerError)
    expect(err.error).toEqual(JSON.parse(b.sent[0]?.body ?? '').error)
    expect(await gw.nextRecord()).toMatchObject({ upstream: 'b', status: 500, outcome: 'upstream_error' })
  })

  it('answers 502 listing every attempt, or 504 when the last one timed out', async () => {
    gw.setSettings(route([up('dead-1', deadUrl), up('dead-2', deadUrl)]))
    const err = await client.chat.completions.create(chat()).then(noSuccess, asApiError)
    expect(err.status).toBe(502)
    expect(err.message).toContain('all 2 upstreams of route primary failed')
    expect(err.message).toContain('dead-1 refused the connection')
    expect(err.message).toContain('dead-2 refused the connection')
    expect(await gw.nextRecord()).toMatchObject({
      status: 502,
      outcome: 'upstream_error',
      upstream: 'dead-2',
    })

    gw.setSettings(route([up('dead', deadUrl), up('a', a, { timeoutMs: 100 })]))
    a.setMode({ kind: 'slow', delayMs: 600 })
    const slow = await client.chat.completions.create(chat()).then(noSuccess, asApiError)
    expect(slow.status).toBe(504)
    expect(slow.message).toContain('a did not respond within 100 ms')
    expect(slow.message).toContain('dead refused the connection')
    await gw.nextRecord()
  })

  it('never retries once bytes reached the caller: a stream cut midway ends with stream_error', async () => {
    gw.setSettings(route([up('a', a), up('b', b)]))
    a.setMode({ kind: 'cut', afterChunks: 2 })
    const stream = await client.chat.completions.create({ ...chat('cut'), stream: true })
    let n = 0
    for await (const _ of stream) n++
    expect(n).toBe(2)
    expect(b.received.length).toBe(0)
    const r = await gw.nextRecord()
    expect(r).toMatchObject({ upstream: 'a', outcome: 'stream_error', status: 200 })
    expect(r.errorMessage).toContain('upstream a closed the connection mid-response')
  })
})
