import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AlertRuleInput as RuleSchema } from '@leash/shared'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { evaluateOnce } from '../../src/alerts/evaluator.ts'
import { ackAlert, resolveAlert } from '../../src/alerts/incidents.ts'
import { DEFAULT_LIFECYCLE, type LifecycleConfig } from '../../src/alerts/lifecycle.ts'
import { createRule } from '../../src/alerts/rules.ts'
import type { MetricSource } from '../../src/alerts/source.ts'
import {
  incidents,
  notificationChannels,
  openPostgres,
  type Postgres,
  projects,
} from '../../src/db/postgres/index.ts'
import type { MetricValue } from '../../src/metrics/types.ts'
import { createChannel, listDeliveries } from '../../src/notify/channels.ts'
import { deliverDue } from '../../src/notify/queue.ts'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/notify/sign.ts'
import { type Receiver, startReceiver } from '../support/receivers.ts'

const MIN = 60_000
const T0 = Date.UTC(2026, 10, 2, 12, 0, 0)
const PUBLIC = 'https://leash.example.com'
const SECRET = 'whsec_test_secret_0123456789'

let current: MetricValue[] = []
const source: MetricSource = {
  window: async () => current,
  drift: async () => {
    throw new Error('unused')
  },
  examples: async (q) =>
    Array.from({ length: q.limit }, (_, i) => ({
      eventId: `0190f0c0-0000-7000-8000-00000000000${i}`,
      excerpt: `I'm sorry, but I can't help with that request number ${i}. ${'x'.repeat(400)}`,
    })),
  describe: () => ({ minSamples: 30, better: 'lower' }),
}
const firing = (): MetricValue[] => [
  { labels: { model: 'support-bot' }, n: 1240, value: 0.079, lo: 0.065, hi: 0.093, insufficient: false },
]
const calm = (): MetricValue[] => [
  { labels: { model: 'support-bot' }, n: 1300, value: 0.02, lo: 0.013, hi: 0.03, insufficient: false },
]

let pg: Postgres
let dir: string
let projectId: string
let rx: Receiver
const logs: string[] = []
const config: LifecycleConfig = { ...DEFAULT_LIFECYCLE, publicUrl: PUBLIC }
const deps = () => ({ db: pg.db, source, log: (l: string, m: string) => logs.push(`${l} ${m}`), config })
const notifyDeps = () => ({
  db: pg.db,
  log: (l: string, m: string) => logs.push(`${l} ${m}`),
  publicUrl: PUBLIC,
  backoffBaseMs: 1_000,
  backoffCapMs: 60_000,
})

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-notify-'))
  pg = await openPostgres({ dataDir: dir })
  await pg.migrate()
}, 60_000)
afterAll(async () => {
  await pg?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})
beforeEach(async () => {
  await pg.db.delete(projects)
  const [p] = await pg.db.insert(projects).values({ slug: 'p', name: 'P' }).returning()
  projectId = (p as { id: string }).id
  rx = await startReceiver()
  current = firing()
})
afterEach(async () => {
  await rx.close()
})

async function ruleWith(channelId: string) {
  return createRule({
    ctx: { db: pg.db },
    input: {
      projectId,
      rule: RuleSchema.parse({
        name: 'False refusals above 5%',
        spec: { kind: 'threshold', metric: 'false_refusal_rate', op: '>', value: 0.05, clear: 0.035 },
        window: '15m',
        interval: '1m',
        severity: 'critical',
        groupBy: ['model'],
        runbookUrl: 'https://runbooks.example.com/fr',
        channels: [channelId],
      }),
    },
  })
}

async function fire(at = T0) {
  await evaluateOnce(deps(), at, { projectId })
  const [inc] = await pg.db.select().from(incidents)
  return inc as typeof incidents.$inferSelect
}

describe('generic webhook (Alertmanager v4 + leash)', () => {
  it('sends the exact Alertmanager shape, HMAC-signed over timestamp and raw body', async () => {
    const ch = await createChannel({
      ctx: { db: pg.db },
      input: {
        projectId: projectId,
        channel: {
          kind: 'webhook',
          name: 'ops-webhook',
          config: { url: `${rx.url}/hook`, secret: SECRET },
        },
      },
    })
    const rule = await ruleWith(ch.id)
    const inc = await fire()
    expect(await deliverDue(notifyDeps(), T0)).toBe(1)
    expect(rx.received).toHaveLength(1)
    const r = rx.received[0] as (typeof rx.received)[0]
    expect(r.path).toBe('/hook')
    expect(
      verifySignature({
        secret: SECRET,
        timestamp: r.headers[TIMESTAMP_HEADER] as string,
        signature: r.headers[SIGNATURE_HEADER] as string,
        body: r.raw,
      }),
    ).toBe(true)
    expect(
      verifySignature({
        secret: 'wrong-secret-wrong-secret',
        timestamp: r.headers[TIMESTAMP_HEADER] as string,
        signature: r.headers[SIGNATURE_HEADER] as string,
        body: r.raw,
      }),
    ).toBe(false)
    const labels = {
      alertname: rule.name,
      severity: 'critical',
      rule_kind: 'threshold',
      model: 'support-bot',
    }
    const summary = 'false_refusal_rate 7.9% > 5% (CI 6.5-9.3, n=1240)'
    const annotations = {
      summary,
      description: `firing: ${summary}`,
      runbook_url: 'https://runbooks.example.com/fr',
    }
    expect(r.json).toEqual({
      version: '4',
      groupKey: `{}:{alertname="${rule.name}", fingerprint="${inc.fingerprint}"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'ops-webhook',
      groupLabels: { alertname: rule.name },
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: PUBLIC,
      alerts: [
        {
          status: 'firing',
          labels,
          annotations,
          startsAt: new Date(T0).toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: `${PUBLIC}/alerts/${inc.id}`,
          fingerprint: inc.fingerprint,
        },
      ],
      leash: {
        event: 'firing',
        incidentId: inc.id,
        incidentState: 'open',
        state: 'Firing',
        previousState: 'Normal',
        metric: 'false_refusal_rate',
        value: 0.079,
        threshold: 0.05,
        baseline: null,
        interval: [0.065, 0.093],
        n: 1240,
        window: '15m',
        exampleEventIds: [0, 1, 2, 3, 4].map((i) => `0190f0c0-0000-7000-8000-00000000000${i}`),
        error: null,
      },
    })
    // Resolution goes out as status "resolved" with an end time.
    current = calm()
    await evaluateOnce(deps(), T0 + MIN, { projectId })
    await deliverDue(notifyDeps(), T0 + MIN)
    const resolved = rx.received[1]?.json as { status: string; alerts: Array<{ endsAt: string }> }
    expect(resolved.status).toBe('resolved')
    expect(resolved.alerts[0]?.endsAt).toBe(new Date(T0 + MIN).toISOString())
  })

  it('retries with backoff against a receiver that fails twice, and shows it through the deliveries list', async () => {
    const ch = await createChannel({
      ctx: { db: pg.db },
      input: {
        projectId: projectId,
        channel: {
          kind: 'webhook',
          name: 'flaky',
          config: { url: rx.url },
        },
      },
    })
    await ruleWith(ch.id)
    rx.failWith = [500, 503]
    await fire()
    await deliverDue(notifyDeps(), T0)
    let list = await listDeliveries({ ctx: { db: pg.db }, input: { projectId: projectId, id: ch.id } })
    expect(list.items[0]).toMatchObject({ status: 'pending', attempts: 1, responseStatus: 500 })
    expect(list.items[0]?.lastError).toMatch(/HTTP 500/)
    const next1 = Date.parse(list.items[0]?.nextAttemptAt as string)
    expect(next1 - T0).toBeGreaterThanOrEqual(500)
    expect(next1 - T0).toBeLessThanOrEqual(1_000)
    // Not due yet: nothing is sent.
    expect(await deliverDue(notifyDeps(), T0 + 100)).toBe(0)
    await deliverDue(notifyDeps(), T0 + 1_000)
    list = await listDeliveries({ ctx: { db: pg.db }, input: { projectId: projectId, id: ch.id } })
    expect(list.items[0]).toMatchObject({ status: 'pending', attempts: 2, responseStatus: 503 })
    const next2 = Date.parse(list.items[0]?.nextAttemptAt as string)
    expect(next2 - (T0 + 1_000)).toBeGreaterThanOrEqual(1_000)
    expect(next2 - (T0 + 1_000)).toBeLessThanOrEqual(2_000)
    await deliverDue(notifyDeps(), T0 + 3_000)
    list = await listDeliveries({ ctx: { db: pg.db }, input: { projectId: projectId, id: ch.id } })
    expect(list.items[0]).toMatchObject({
      status: 'delivered',
      attempts: 3,
      responseStatus: 200,
      lastError: null,
    })
    expect(rx.received).toHaveLength(3)
    expect(rx.received[2]?.raw).toBe(rx.received[0]?.raw)
  })

  it('a dead channel never blocks evaluation and is visible as failed', async () => {
    const ch = await createChannel({
      ctx: { db: pg.db },
      input: {
        projectId: projectId,
        channel: {
          kind: 'webhook',
          name: 'gone',
          config: { url: rx.url },
        },
      },
    })
    await ruleWith(ch.id)
    rx.okStatus = 404
    const inc = await fire()
    expect(inc.state).toBe('open')
    await deliverDue(notifyDeps(), T0)
    const list = await listDeliveries({ ctx: { db: pg.db }, input: { projectId: projectId, id: ch.id } })
    expect(list.items[0]).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 404 })
    // A closed port: a network error is retryable and recorded.
    await pg.db.update(notificationChannels).set({ config: { url: 'http://127.0.0.1:1/' } })
    current = calm()
    await evaluateOnce(deps(), T0 + MIN, { projectId })
    await deliverDue(notifyDeps(), T0 + MIN)
    const after = await listDeliveries({ ctx: { db: pg.db }, input: { projectId: projectId, id: ch.id } })
    expect(after.items[0]).toMatchObject({ event: 'resolved', status: 'pending', attempts: 1 })
    expect(after.items[0]?.lastError).toMatch(/request failed/)
  })
})

describe('PagerDuty Events v2', () => {
  it('triggers, mirrors the acknowledgement and resolves with dedup_key = fingerprint', async () => {
    const ch = await createChannel({
      ctx: { db: pg.db },
      input: {
        projectId: projectId,
        channel: {
          kind: 'pagerduty',
          name: 'pd',
          config: { routingKey: 'R0UTING-KEY-123', url: `${rx.url}/v2/enqueue` },
        },
      },
    })
    await ruleWith(ch.id)
    rx.okStatus = 202
    const inc = await fire()
    await deliverDue(notifyDeps(), T0)
    expect(rx.received[0]?.path).toBe('/v2/enqueue')
    expect(rx.received[0]?.json).toEqual({
      routing_key: 'R0UTING-KEY-123',
      event_action: 'trigger',
      dedup_key: inc.fingerprint,
      payload: {
        summary: 'false_refusal_rate 7.9% > 5% (CI 6.5-9.3, n=1240) support-bot',
        source: 'leash/False refusals above 5%',
        severity: 'critical',
        timestamp: new Date(T0).toISOString(),
        component: 'false_refusal_rate',
        group: projectId,
        class: 'threshold',
        custom_details: {
          event: 'firing',
          state: 'Firing',
          previous_state: 'Normal',
          value: 0.079,
          threshold: 0.05,
          baseline: null,
          interval: [0.065, 0.093],
          n: 1240,
          window: '15m',
          labels: { model: 'support-bot' },
          example_event_ids: [0, 1, 2, 3, 4].map((i) => `0190f0c0-0000-7000-8000-00000000000${i}`),
          error: null,
        },
      },
      client: 'Leash',
      client_url: `${PUBLIC}/alerts/${inc.id}`,
      links: [
        { href: `${PUBLIC}/alerts/${inc.id}`, text: 'Leash incident' },
        { href: 'https://runbooks.example.com/fr', text: 'Runbook' },
      ],
    })
    const ctx = { db: pg.db, config, now: () => T0 + 2 * MIN }
    await ackAlert({ ctx: ctx, input: { projectId: projectId, id: inc.id, who: 'oncall@example.com' } })
    await deliverDue(notifyDeps(), T0 + 2 * MIN)
    expect(rx.received[1]?.json).toEqual({
      routing_key: 'R0UTING-KEY-123',
      event_action: 'acknowledge',
      dedup_key: inc.fingerprint,
    })
    await resolveAlert({
      ctx: ctx,
      input: { projectId: projectId, id: inc.id, who: 'oncall@example.com', note: 'fixed the system prompt' },
    })
    await deliverDue(notifyDeps(), T0 + 3 * MIN)
    expect(rx.received[2]?.json).toEqual({
      routing_key: 'R0UTING-KEY-123',
      event_action: 'resolve',
      dedup_key: inc.fingerprint,
    })
  })
})

describe('Slack', () => {
  it('incoming webhook: Block Kit with header, figures, two truncated examples and links; updates say so', async () => {
    const ch = await createChannel({
      ctx: { db: pg.db },
      input: {
        projectId: projectId,
        channel: {
          kind: 'slack',
          name: 'slack',
          config: { url: `${rx.url}/services/T/B/X` },
        },
      },
    })
    await ruleWith(ch.id)
    const inc = await fire()
    await deliverDue(notifyDeps(), T0)
    const msg = rx.received[0]?.json as { text: string; blocks: Array<Record<string, unknown>> }
    expect(msg.text).toBe(
      ':rotating_light: CRITICAL: False refusals above 5% (support-bot): false_refusal_rate 7.9% > 5% (CI 6.5-9.3, n=1240)',
    )
    expect(msg.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'context',
    ])
    expect(msg.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'CRITICAL: False refusals above 5% (support-bot)', emoji: true },
    })
    const fields = (msg.blocks[2] as { fields: Array<{ text: string }> }).fields.map((f) => f.text)
    expect(fields).toEqual([
      '*Value*\n0.079',
      '*Threshold*\n0.05',
      '*Baseline*\nn/a',
      '*95% CI*\n0.065 – 0.093',
      '*n / window*\n1240 / 15m',
      '*State*\nNormal → Firing',
    ])
    const example = (msg.blocks[3] as { text: { text: string } }).text.text
    expect(example.startsWith("> I'm sorry, but I can't help with that request number 0.")).toBe(true)
    expect(example.split('\n')[0]?.length).toBeLessThanOrEqual(282)
    expect(JSON.stringify(msg.blocks[5])).toContain(`<${PUBLIC}/alerts/${inc.id}|Open incident>`)
    current = calm()
    await evaluateOnce(deps(), T0 + MIN, { projectId })
    await deliverDue(notifyDeps(), T0 + MIN)
    const update = rx.received[1]?.json as {
      blocks: Array<{ type: string; elements?: Array<{ text: string }> }>
    }
    expect(update.blocks[0]?.type).toBe('context')
    expect(update.blocks[0]?.elements?.[0]?.text).toContain('Update (resolved) to the alert started')
  })

  it('with a bot token, updates are threaded under the first message (thread_ts)', async () => {
    const ch = await createChannel({
      ctx: { db: pg.db },
      input: {
        projectId: projectId,
        channel: {
          kind: 'slack',
          name: 'slack-bot',
          config: {
            url: `${rx.url}/unused`,
            botToken: 'xoxb-test',
            channel: 'C123',
            apiUrl: `${rx.url}/api`,
          },
        },
      },
    })
    await ruleWith(ch.id)
    rx.respond = (_r, i) => ({ ok: true, ts: `1790000000.00010${i}` })
    await fire()
    await deliverDue(notifyDeps(), T0)
    current = calm()
    await evaluateOnce(deps(), T0 + MIN, { projectId })
    await deliverDue(notifyDeps(), T0 + MIN)
    expect(rx.received.map((r) => r.path)).toEqual(['/api/chat.postMessage', '/api/chat.postMessage'])
    expect(rx.received[0]?.headers.authorization).toBe('Bearer xoxb-test')
    const first = rx.received[0]?.json as { channel: string; thread_ts?: string }
    const second = rx.received[1]?.json as {
      channel: string
      thread_ts?: string
      blocks: Array<{ type: string }>
    }
    expect(first.channel).toBe('C123')
    expect(first.thread_ts).toBeUndefined()
    expect(second.thread_ts).toBe('1790000000.000100')
    expect(second.blocks[0]?.type).toBe('header')
  })
})
