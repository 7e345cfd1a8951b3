import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/notify/sign.ts'
import {
  api,
  eventually,
  PROJECT_KEY,
  type StoreMode,
  startTestLeash,
  TEST_DATABASE_URL,
  type TestLeash,
} from '../support/leash.ts'
import { type Receiver, startReceiver } from '../support/receivers.ts'

/**
 * Live path: a whole Leash (demo model, embedded stores, the evaluator loop started by startLeash),
 * a rule evaluated every 10 seconds over a 1-minute window, real traffic through the gateway with the
 * OpenAI client, and a signed webhook.
 */
const SECRET = 'whsec_live_test_secret_0123'

interface AlertItem {
  id: string
  rule: string
  state: string
  evidence: { value: number; n: number }
}
interface Am {
  status: string
  commonLabels: { alertname: string }
  alerts: Array<{ generatorURL: string }>
  leash: { event: string }
}

// PostgreSQL mode (the advisory lock on a reserved postgres.js connection) runs where CI provides a server.
const MODES: StoreMode[] = TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded']

describe.each(MODES)('alerts against live traffic (%s)', (mode) => {
  let leash: TestLeash
  let rx: Receiver
  beforeAll(async () => {
    rx = await startReceiver()
    leash = await startTestLeash({ mode, env: { LEASH_PUBLIC_URL: 'https://leash.example.test' } })
  }, 90_000)
  afterAll(async () => {
    await leash?.stop()
    await rx?.close()
  })

  it('a rule evaluated every 10s fires on real traffic, notifies a signed webhook, and is acknowledged and resolved through the API', async () => {
    const ch = await api<{ id: string }>(leash, '/api/notification-channels', {
      method: 'POST',
      body: JSON.stringify({
        kind: 'webhook',
        name: 'live',
        config: { url: `${rx.url}/am`, secret: SECRET },
      }),
    })
    expect(ch.status).toBe(201)
    const rule = await api<{ id: string }>(leash, '/api/alert-rules', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Live traffic burst',
        spec: { kind: 'threshold', metric: 'requests', op: '>', value: 3 },
        window: '1m',
        interval: '10s',
        severity: 'info',
        channels: [ch.body.id],
      }),
    })
    expect(rule.status).toBe(201)
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    for (let i = 0; i < 6; i++) {
      await client.chat.completions.create({
        model: 'leash-demo-mini',
        messages: [{ role: 'user', content: `hello ${i}` }],
      })
    }
    const firing = await eventually(
      async () => rx.received.find((r) => (r.json as Am).commonLabels?.alertname === 'Live traffic burst'),
      40_000,
      250,
    )
    const body = firing.json as Am
    expect(body.status).toBe('firing')
    expect(
      verifySignature({
        secret: SECRET,
        timestamp: firing.headers[TIMESTAMP_HEADER] as string,
        signature: firing.headers[SIGNATURE_HEADER] as string,
        body: firing.raw,
      }),
    ).toBe(true)

    const list = await api<{ items: AlertItem[] }>(leash, '/api/alerts?state=firing')
    const item = list.body.items.find((i) => i.rule === 'Live traffic burst') as AlertItem
    expect(item).toBeDefined()
    expect(Object.keys(item)).toEqual(
      expect.arrayContaining([
        'id',
        'rule',
        'kind',
        'state',
        'severity',
        'labels',
        'startedAt',
        'acknowledgedAt',
        'resolvedAt',
        'evidence',
      ]),
    )
    expect(item.evidence.value).toBeGreaterThan(3)
    expect(body.alerts[0]?.generatorURL).toBe(`https://leash.example.test/alerts/${item.id}`)

    const ack = await api<{ state: string; acknowledgedBy: string }>(leash, `/api/alerts/${item.id}/ack`, {
      method: 'POST',
    })
    expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin@leash.local' })
    const acked = await api<{ items: AlertItem[] }>(leash, '/api/alerts?state=acknowledged')
    expect(acked.body.items.map((i) => i.id)).toContain(item.id)

    const noNote = await api<{ error: { code: string } }>(leash, `/api/alerts/${item.id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({}),
    })
    expect(noNote.status).toBe(400)
    const resolved = await api<{ state: string; resolveNote: string; timeline: Array<{ type: string }> }>(
      leash,
      `/api/alerts/${item.id}/resolve`,
      { method: 'POST', body: JSON.stringify({ note: 'expected burst from the test' }) },
    )
    expect(resolved.body).toMatchObject({ state: 'resolved', resolveNote: 'expected burst from the test' })
    expect(resolved.body.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['opened', 'notification', 'acknowledged', 'resolved']),
    )
    const last = await eventually(
      async () => rx.received.find((r) => (r.json as Am).leash?.event === 'resolved'),
      20_000,
      250,
    )
    expect((last.json as Am).status).toBe('resolved')
  }, 90_000)
})
