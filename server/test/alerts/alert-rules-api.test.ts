import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RULES } from '../../src/alerts/defaults.ts'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/notify/sign.ts'
import { api, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startReceiver } from '../support/receivers.ts'

interface Rule {
  id: string
  name: string
  spec: { kind: string }
  window: string
  for: number
  keepFiringFor: string
  groupBy: string[]
}
interface ErrorBody {
  error: { code: string; message: string; requestId: string }
}

let leash: TestLeash

beforeAll(async () => {
  leash = await startTestLeash({ mode: 'embedded', env: { LEASH_ALERTS_ENABLED: 'false' } })
}, 60_000)
afterAll(async () => {
  await leash?.stop()
})

const rule = {
  name: 'FR over 7%',
  spec: { kind: 'threshold', metric: 'false_refusal_rate', op: '>', value: 0.07, clear: 0.05 },
  window: '10s',
  interval: '10s',
  severity: 'critical',
  for: 3,
  keepFiringFor: '1m',
  groupBy: ['model', 'route'],
  runbookUrl: 'https://runbooks.example.com/false-refusals',
}

describe('alert rules API', () => {
  it('seeds the default rules for the first project', async () => {
    const res = await api<{ items: Rule[] }>(leash, '/api/alert-rules')
    expect(res.status).toBe(200)
    expect(res.body.items.map((r) => r.name).sort()).toEqual(DEFAULT_RULES.map((r) => r.name).sort())
    const kinds = new Set(res.body.items.map((r) => r.spec.kind))
    for (const k of ['threshold', 'tradeoff', 'burn_rate', 'change', 'no_data'])
      expect(kinds.has(k)).toBe(true)
  })

  it('creates, reads, updates and deletes a rule', async () => {
    const created = await api<Rule>(leash, '/api/alert-rules', { method: 'POST', body: JSON.stringify(rule) })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ name: 'FR over 7%', window: '10s', for: 3, keepFiringFor: '1m' })
    expect(created.body.groupBy).toEqual(['model', 'route'])

    const got = await api<Rule & { instances: unknown[] }>(leash, `/api/alert-rules/${created.body.id}`)
    expect(got.status).toBe(200)
    expect(got.body.instances).toEqual([])

    const put = await api<Rule>(leash, `/api/alert-rules/${created.body.id}`, {
      method: 'PUT',
      body: JSON.stringify({ ...rule, name: 'FR over 8%', spec: { ...rule.spec, value: 0.08 } }),
    })
    expect(put.status).toBe(200)
    expect(put.body.name).toBe('FR over 8%')
    expect((put.body.spec as unknown as { value: number }).value).toBe(0.08)

    const del = await api(leash, `/api/alert-rules/${created.body.id}`, { method: 'DELETE' })
    expect(del.status).toBe(204)
    const gone = await api<ErrorBody>(leash, `/api/alert-rules/${created.body.id}`)
    expect(gone.status).toBe(404)
    expect(gone.body.error.code).toBe('not_found')
  })

  it.each([
    [{ ...rule, window: '5s' }, /window: must be at least 10s/],
    [{ ...rule, interval: '1 minute' }, /interval: must look like/],
    [{ ...rule, spec: { ...rule.spec, metric: 'no_such_metric' } }, /unknown metric 'no_such_metric'/],
    [{ ...rule, spec: { kind: 'vibes', metric: 'false_refusal_rate' } }, /spec/],
    [{ ...rule, severity: 'page-everyone' }, /severity/],
    [{ ...rule, groupBy: ['user_id'] }, /groupBy/],
    [{ ...rule, channels: ['00000000-0000-4000-8000-000000000000'] }, /unknown notification channel/],
    [{ ...rule, runbookUrl: 'javascript:alert(document.cookie)' }, /runbookUrl must be an http\(s\) URL/],
  ])('rejects an invalid rule with a clear 400 (%#)', async (body, message) => {
    const res = await api<ErrorBody>(leash, '/api/alert-rules', {
      method: 'POST',
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('bad_request')
    expect(res.body.error.message).toMatch(message)
  })

  it('rejects malformed JSON and unauthenticated calls', async () => {
    const bad = await api<ErrorBody>(leash, '/api/alert-rules', { method: 'POST', body: '{"name":' })
    expect(bad.status).toBe(400)
    const anon = await fetch(`${leash.url}/api/alert-rules`)
    expect(anon.status).toBe(401)
    const anonAlerts = await fetch(`${leash.url}/api/alerts?state=firing`)
    expect(anonAlerts.status).toBe(401)
  })

  it('stores channel secrets but never returns them', async () => {
    const secret = 'whsec_0123456789abcdef_topsecret'
    const res = await api<{ id: string; config: Record<string, string> }>(
      leash,
      '/api/notification-channels',
      {
        method: 'POST',
        body: JSON.stringify({
          kind: 'webhook',
          name: 'ops',
          config: { url: 'http://127.0.0.1:9/hook', secret },
        }),
      },
    )
    expect(res.status).toBe(201)
    expect(JSON.stringify(res.body)).not.toContain(secret)
    expect(res.body.config.secret).toBe('****')
    const pd = await api<{ id: string; config: Record<string, string> }>(
      leash,
      '/api/notification-channels',
      {
        method: 'POST',
        body: JSON.stringify({
          kind: 'pagerduty',
          name: 'pd',
          config: { routingKey: 'R0UTINGKEY1234567890' },
        }),
      },
    )
    expect(pd.body.config.routingKey).toBe('****')
    const list = await api<{ items: unknown[] }>(leash, '/api/notification-channels')
    expect(list.body.items).toHaveLength(2)
    expect(JSON.stringify(list.body)).not.toContain(secret)
    expect(JSON.stringify(list.body)).not.toContain('R0UTINGKEY1234567890')
    const deliveries = await api<{ items: unknown[] }>(
      leash,
      `/api/notification-channels/${res.body.id}/deliveries`,
    )
    expect(deliveries.status).toBe(200)
    expect(deliveries.body.items).toEqual([])
    const del = await api(leash, `/api/notification-channels/${pd.body.id}`, { method: 'DELETE' })
    expect(del.status).toBe(204)
  })

  it('sends a test notification to webhook, Slack and PagerDuty channels, and records failures', async () => {
    const rx = await startReceiver()
    try {
      const secret = 'whsec_test_notification_0001'
      const make = async (body: unknown) =>
        (
          await api<{ id: string }>(leash, '/api/notification-channels', {
            method: 'POST',
            body: JSON.stringify(body),
          })
        ).body.id
      const hook = await make({ kind: 'webhook', name: 'hook', config: { url: `${rx.url}/hook`, secret } })
      const slack = await make({ kind: 'slack', name: 'slack', config: { url: `${rx.url}/slack` } })
      const pd = await make({
        kind: 'pagerduty',
        name: 'pd',
        config: { routingKey: 'RK123', url: `${rx.url}/pd` },
      })
      for (const id of [hook, slack, pd]) {
        const sent = await api<{ status: string; responseStatus: number }>(
          leash,
          `/api/notification-channels/${id}/test`,
          { method: 'POST' },
        )
        expect(sent.status).toBe(200)
        expect(sent.body).toMatchObject({ status: 'delivered', responseStatus: 200 })
      }
      const byPath = (p: string) => rx.received.find((r) => r.path === p)
      const h = byPath('/hook')
      expect(h).toBeDefined()
      expect(
        verifySignature({
          secret,
          timestamp: String(h?.headers[TIMESTAMP_HEADER]),
          signature: String(h?.headers[SIGNATURE_HEADER]),
          body: h?.raw ?? '',
        }),
      ).toBe(true)
      expect(h?.raw).toContain('Test notification from Leash')
      expect(byPath('/slack')?.raw).toContain('Test notification from Leash')
      expect(byPath('/pd')?.json).toMatchObject({ routing_key: 'RK123', event_action: 'trigger' })

      // A receiver that answers 500: one attempt, marked failed with its answer, listed with the deliveries.
      rx.failWith.push(500)
      const failed = await api<{ status: string; lastError: string }>(
        leash,
        `/api/notification-channels/${hook}/test`,
        {
          method: 'POST',
        },
      )
      expect(failed.body.status).toBe('failed')
      expect(failed.body.lastError).toContain('HTTP 500')
      const deliveries = await api<{ items: Array<{ event: string; status: string }> }>(
        leash,
        `/api/notification-channels/${hook}/deliveries`,
      )
      expect(deliveries.body.items.map((d) => [d.event, d.status])).toEqual([
        ['test', 'failed'],
        ['test', 'delivered'],
      ])
      const missing = await api(
        leash,
        '/api/notification-channels/00000000-0000-4000-8000-000000000000/test',
        {
          method: 'POST',
        },
      )
      expect(missing.status).toBe(404)
    } finally {
      await rx.close()
    }
  })

  it('lists alerts in the documented shape (empty at first) and 404s unknown ones', async () => {
    const res = await api<{ items: unknown[] }>(leash, '/api/alerts?state=firing')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ items: [] })
    const bad = await api<ErrorBody>(leash, '/api/alerts?state=on-fire')
    expect(bad.status).toBe(400)
    const missing = await api<ErrorBody>(leash, '/api/alerts/00000000-0000-4000-8000-000000000000/ack', {
      method: 'POST',
    })
    expect(missing.status).toBe(404)
  })
})
