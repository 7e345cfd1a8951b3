import type { ExchangeDetail } from '@leash/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventIdFor } from '../../src/gateway/external.ts'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

type Answer = { accepted: number; errors: Array<{ index: number; message: string }> }

/** `POST /api/ingest/exchanges`: exchanges logged from code land in the spool and are scored. */
describe('batch ingest API', () => {
  let leash: TestLeash

  beforeAll(async () => {
    leash = await startTestLeash({ mode: 'embedded' })
  }, 120_000) // starting a Leash takes long on a busy machine
  afterAll(async () => {
    await leash?.stop()
  })

  const send = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${leash.url}/api/ingest/exchanges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PROJECT_KEY}`, 'content-type': 'application/json', ...headers },
      body,
    })

  async function detail(id: string): Promise<ExchangeDetail> {
    await leash.pipeline.flush()
    return eventually(async () => {
      const { status, body } = await api<ExchangeDetail>(leash, `/api/exchanges/${id}`)
      if (status !== 200) throw new Error(`status ${status}: ${JSON.stringify(body)}`)
      return body.scorers.some((s) => s.name === 'refusal') ? body : undefined
    }, 20_000)
  }

  it('accepts an array, reports bad rows by index, and stores the good ones scored', async () => {
    const rows = [
      {
        id: 'order-1',
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: 'How do I reset my password?' },
        ],
        response: 'Open Settings, then Security, then Reset password.',
        usage: { promptTokens: 1000, completionTokens: 500 },
        latencyMs: 812,
        tags: { user: 'u-9', feature: 'support', extra: { team: 'cx' } },
        time: '2026-12-01T10:00:00Z',
      },
      { model: 'gpt-4o-mini', response: 'no prompt here' },
      { id: 'order-2', model: 'gpt-4o-mini', prompt: 'Say hi', response: 'Hi!', time: 1_764_583_200_000 },
      { model: 'gpt-4o-mini', prompt: 'x', response: 'y', unknown: true },
    ]
    const res = await send(JSON.stringify(rows))
    expect(res.status).toBe(202)
    const body = (await res.json()) as Answer
    expect(body.accepted).toBe(2)
    expect(body.errors.map((e) => e.index)).toEqual([1, 3])
    expect(body.errors[0]?.message).toMatch(/messages or prompt/)

    const d = await detail(eventIdFor(leash.bootstrap.defaultProjectId, 'order-1'))
    expect(d.origin).toBe('batch')
    expect(d.endpoint).toBe('chat.completions')
    expect(d.prompt).toBe('How do I reset my password?')
    expect(d.responseText).toBe('Open Settings, then Security, then Reset password.')
    expect(d.usage).toEqual({ promptTokens: 1000, completionTokens: 500, cachedTokens: 0 })
    expect(d.costUsd).toBeGreaterThan(0)
    expect(d.latencyMs).toBe(812)
    expect(d.tags).toMatchObject({ user: 'u-9', feature: 'support', extra: { team: 'cx' } })
    expect(d.time).toBe('2026-12-01T10:00:00.000Z')
    expect(d.scores.refusal).toBeDefined()
  }, 60_000)

  it('takes JSON lines, and a row re-sent with the same id is stored once', async () => {
    const line = JSON.stringify({ id: 'retry-me', model: 'm', prompt: 'ping', response: 'pong' })
    const first = await send(`${line}\n\nnot json\n`, { 'content-type': 'application/x-ndjson' })
    expect(first.status).toBe(202)
    expect(await first.json()).toEqual({ accepted: 1, errors: [{ index: 1, message: 'not valid JSON' }] })
    const again = await send(line, { 'content-type': 'application/x-ndjson' })
    expect(((await again.json()) as Answer).accepted).toBe(1)
    const id = eventIdFor(leash.bootstrap.defaultProjectId, 'retry-me')
    await detail(id)
    const q = await leash.clickhouse.query({
      query: 'SELECT toString(count()) AS n FROM raw_responses_v1 FINAL WHERE event_id = {id:UUID}',
      query_params: { id },
      format: 'JSONEachRow',
    })
    expect(await q.json()).toEqual([{ n: '1' }])
  }, 60_000)

  it('refuses a wrong key, a non-array JSON body and an oversize body in the API error shape', async () => {
    const wrong = await send('[]', { authorization: 'Bearer nope' })
    expect(wrong.status).toBe(401)
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
    const broken = await send('[{"model": ')
    expect(broken.status).toBe(400)
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('bad_request')
    const big = await send(`[${'"x",'.repeat(5 * 1024 * 1024)}"x"]`)
    expect(big.status).toBe(413)
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large')
  }, 60_000)
})
