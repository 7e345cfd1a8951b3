import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type AlertRuleInput, AlertRuleInput as RuleSchema } from '@leash/shared'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { evaluateOnce } from '../../src/alerts/evaluator.ts'
import { ackAlert, getAlert, listAlerts, resolveAlert, snoozeAlert } from '../../src/alerts/incidents.ts'
import { DEFAULT_LIFECYCLE, type LifecycleConfig } from '../../src/alerts/lifecycle.ts'
import { createLeaderLock } from '../../src/alerts/lock.ts'
import { createRule, deleteRule, listRules } from '../../src/alerts/rules.ts'
import { startAlertScheduler } from '../../src/alerts/scheduler.ts'
import type { MetricSource } from '../../src/alerts/source.ts'
import {
  alertInstances,
  incidents,
  notificationChannels,
  notificationDeliveries,
  openPostgres,
  type Postgres,
  projects,
} from '../../src/db/postgres/index.ts'
import type { MetricValue, MetricWindowQuery } from '../../src/metrics/types.ts'

const MIN = 60_000
const T0 = Date.UTC(2026, 10, 2, 12, 0, 0)

/** The metric source under our control: tests set what each metric reads in the current window. */
class ScriptedSource implements MetricSource {
  values = new Map<string, MetricValue[] | Error>()
  queries: MetricWindowQuery[] = []
  async window(q: MetricWindowQuery): Promise<MetricValue[]> {
    this.queries.push(q)
    const v = this.values.get(q.groupBy?.length === 1 ? `${q.metric}/${q.groupBy[0]}` : q.metric)
    if (v instanceof Error) throw v
    return v ?? []
  }
  async drift(): Promise<never> {
    throw new Error('no drift in this test')
  }
  async examples(q: { limit: number }) {
    return Array.from({ length: q.limit }, (_, i) => ({
      eventId: `evt-${i}`,
      excerpt: `I cannot help with that (${i})`,
    }))
  }
  describe(metric: string) {
    return metric.endsWith('_rate') ? { minSamples: 30, better: 'lower' as const } : undefined
  }
  set(metric: string, v: MetricValue[] | Error) {
    this.values.set(metric, v)
  }
}

const mv = (
  value: number | null,
  lo: number | null,
  hi: number | null,
  n = 500,
  labels = {},
): MetricValue => ({
  labels,
  n,
  value,
  lo,
  hi,
  insufficient: value === null,
})
const bad = () => [mv(0.08, 0.065, 0.093, 1240)]
const between = () => [mv(0.045, 0.03, 0.06)]
const good = () => [mv(0.02, 0.01, 0.03)]
const none = () => [mv(null, null, null, 4)]

let pg: Postgres
let dir: string
let projectId: string
let channelId: string
let src: ScriptedSource
const logs: string[] = []
const config: LifecycleConfig = { ...DEFAULT_LIFECYCLE, publicUrl: 'https://leash.example.com' }
const deps = () => ({ db: pg.db, source: src, log: (l: string, m: string) => logs.push(`${l} ${m}`), config })

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-alerts-'))
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
  const [c] = await pg.db
    .insert(notificationChannels)
    .values({ projectId, kind: 'webhook', name: 'ops', config: { url: 'http://127.0.0.1:9/x' } })
    .returning()
  channelId = (c as { id: string }).id
  src = new ScriptedSource()
  logs.length = 0
})

async function addRule(over: Partial<AlertRuleInput> = {}) {
  const input = RuleSchema.parse({
    name: 'False refusals above 5%',
    spec: { kind: 'threshold', metric: 'false_refusal_rate', op: '>', value: 0.05, clear: 0.035 },
    window: '15m',
    interval: '1m',
    for: 1,
    channels: [channelId],
    ...over,
  })
  return createRule({ ctx: { db: pg.db }, input: { projectId: projectId, rule: input } })
}

async function step(at: number, values: MetricValue[] | Error, metric = 'false_refusal_rate') {
  src.set(metric, values)
  const [r] = await evaluateOnce(deps(), at, { projectId })
  return r?.instances[0]?.state
}

const openIncidents = () => pg.db.select().from(incidents)
const deliveries = () => pg.db.select().from(notificationDeliveries).orderBy(notificationDeliveries.createdAt)

describe('state machine', () => {
  it('breaches on the confidence bound, not the point estimate, and needs `for` bad windows', async () => {
    await addRule({ for: 2 })
    // Point estimate 8% > 5%, but the interval reaches down to 4%: not breached.
    expect(await step(T0, [mv(0.08, 0.04, 0.12, 60)])).toBe('Normal')
    expect(await step(T0 + MIN, bad())).toBe('Pending')
    expect(await openIncidents()).toHaveLength(0)
    expect(await step(T0 + 2 * MIN, bad())).toBe('Firing')
    const [inc] = await openIncidents()
    expect(inc?.state).toBe('open')
    expect(inc?.evidence).toMatchObject({
      value: 0.08,
      threshold: 0.05,
      interval: [0.065, 0.093],
      n: 1240,
      window: '15m',
    })
    expect(((inc?.evidence ?? {}) as { summary: string }).summary).toBe(
      'false_refusal_rate 8% > 5% (CI 6.5-9.3, n=1240)',
    )
    expect(((inc?.evidence ?? {}) as { examples: unknown[] }).examples).toHaveLength(5)
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing'])
  })

  it('a Pending instance that recovers goes back to Normal without an incident', async () => {
    await addRule({ for: 3 })
    expect(await step(T0, bad())).toBe('Pending')
    expect(await step(T0 + MIN, bad())).toBe('Pending')
    expect(await step(T0 + 2 * MIN, good())).toBe('Normal')
    expect(await step(T0 + 3 * MIN, bad())).toBe('Pending')
    expect(await openIncidents()).toHaveLength(0)
  })

  it('hysteresis: stays Firing between the clear and breach thresholds; resolves below clear', async () => {
    await addRule()
    expect(await step(T0, bad())).toBe('Firing')
    expect(await step(T0 + MIN, between())).toBe('Firing')
    expect(await step(T0 + 2 * MIN, between())).toBe('Firing')
    expect((await openIncidents())[0]?.state).toBe('open')
    expect(await step(T0 + 3 * MIN, good())).toBe('Normal')
    const [inc] = await openIncidents()
    expect(inc?.state).toBe('resolved')
    expect(inc?.resolvedBy).toBe('leash')
    expect(inc?.timeToResolveMs).toBe(3 * MIN)
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'resolved'])
  })

  it('keepFiringFor: Recovering keeps the alert firing, a relapse does not page anew', async () => {
    await addRule({ keepFiringFor: '2m' })
    expect(await step(T0, bad())).toBe('Firing')
    expect(await step(T0 + MIN, good())).toBe('Recovering')
    expect(await step(T0 + 2 * MIN, bad())).toBe('Firing')
    expect(await step(T0 + 3 * MIN, good())).toBe('Recovering')
    expect(await step(T0 + 4 * MIN, good())).toBe('Recovering')
    expect((await openIncidents())[0]?.state).toBe('open')
    expect(await step(T0 + 5 * MIN, good())).toBe('Normal')
    expect(await openIncidents()).toHaveLength(1)
    expect((await openIncidents())[0]?.state).toBe('resolved')
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'resolved'])
  })

  it('InsufficientData holds the previous state and never reads as zero', async () => {
    await addRule()
    expect(await step(T0, none())).toBe('InsufficientData')
    expect(await openIncidents()).toHaveLength(0)
    expect(await step(T0 + MIN, bad())).toBe('Firing')
    expect(await step(T0 + 2 * MIN, none())).toBe('InsufficientData')
    expect(await step(T0 + 3 * MIN, [])).toBe('InsufficientData')
    const [inst] = await pg.db.select().from(alertInstances)
    expect(inst?.heldState).toBe('Firing')
    const [inc] = await openIncidents()
    expect(inc?.state).toBe('open')
    expect(inc?.firing).toBe(true)
    // Resumes from the held state.
    expect(await step(T0 + 4 * MIN, good())).toBe('Normal')
    expect((await openIncidents())[0]?.state).toBe('resolved')
  })

  it('EvalError is loud: recorded, logged, notified; other rules keep evaluating', async () => {
    const r1 = await addRule()
    await addRule({
      name: 'violations',
      spec: { kind: 'threshold', metric: 'violation_rate', op: '>', value: 0.1 },
    })
    src.set('false_refusal_rate', new Error('ClickHouse: connection refused'))
    src.set('violation_rate', [mv(0.5, 0.4, 0.6)])
    const results = await evaluateOnce(deps(), T0, { projectId })
    const byName = new Map(results.map((r) => [r.name, r]))
    expect(byName.get('False refusals above 5%')?.error).toBe('ClickHouse: connection refused')
    expect(byName.get('False refusals above 5%')?.instances[0]?.state).toBe('EvalError')
    expect(byName.get('violations')?.instances[0]?.state).toBe('Firing')
    const [inst] = await pg.db.select().from(alertInstances).where(eq(alertInstances.ruleId, r1.id))
    expect(inst?.lastError).toBe('ClickHouse: connection refused')
    expect(logs.some((l) => l.startsWith('error alert rule evaluation failed'))).toBe(true)
    const events = (await deliveries()).map((d) => d.event)
    expect(events).toContain('eval_error')
    const listed = await listRules({ ctx: { db: pg.db }, input: { projectId: projectId } })
    expect(listed.find((r) => r.id === r1.id)?.instances[0]).toMatchObject({
      state: 'EvalError',
      lastError: 'ClickHouse: connection refused',
    })
    // A second failure does not notify again; recovery resumes the machine.
    await evaluateOnce(deps(), T0 + MIN, { projectId })
    expect((await deliveries()).filter((d) => d.event === 'eval_error')).toHaveLength(1)
    expect(await step(T0 + 2 * MIN, bad())).toBe('Firing')
  })

  it('evaluates one instance per label set (groupBy) with its own fingerprint', async () => {
    await addRule({ groupBy: ['model'] })
    src.set('false_refusal_rate/model', [
      mv(0.08, 0.065, 0.093, 1240, { model: 'a' }),
      mv(0.02, 0.01, 0.03, 900, { model: 'b' }),
    ])
    const [r] = await evaluateOnce(deps(), T0, { projectId })
    const states = Object.fromEntries((r?.instances ?? []).map((i) => [i.labels.model, i.state]))
    expect(states).toEqual({ a: 'Firing', b: 'Normal' })
    expect(new Set(r?.instances.map((i) => i.fingerprint)).size).toBe(2)
    const [inc] = await openIncidents()
    expect(inc?.labels).toEqual({ model: 'a' })
    expect(src.queries[0]?.groupBy).toEqual(['model'])
  })
})

describe('incident lifecycle', () => {
  it('ack stops re-notification, records time to ack, and re-opens when it expires while firing', async () => {
    await addRule()
    await step(T0, bad())
    const [inc] = await openIncidents()
    const id = (inc as { id: string }).id
    const ctx = { db: pg.db, config, now: () => T0 + 5 * MIN }
    const acked = await ackAlert({
      ctx: ctx,
      input: { projectId: projectId, id: id, who: 'oncall@example.com' },
    })
    expect(acked).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'oncall@example.com',
      timeToAckMs: 5 * MIN,
    })
    // Still firing 2 hours later: acknowledged means no re-notification.
    await step(T0 + 2 * 3_600_000, bad())
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'acknowledged'])
    // Past the ack expiry (4 h): re-opened and notified.
    await step(T0 + 5 * 3_600_000, bad())
    const after = await getAlert({ ctx: { db: pg.db }, input: { projectId: projectId, id: id } })
    expect(after.state).toBe('open')
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'acknowledged', 'ack_expired'])
    expect(after.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['opened', 'acknowledged', 'ack_expired', 'notification']),
    )
    const listed = await listAlerts({
      ctx: { db: pg.db },
      input: { projectId: projectId, query: { state: 'firing', limit: 10 } },
    })
    expect(listed.items.map((i) => i.id)).toEqual([id])
    expect(Object.keys(listed.items[0] ?? {})).toEqual(
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
  })

  it('an open incident is re-notified every repeat interval', async () => {
    await addRule()
    await step(T0, bad())
    await step(T0 + 30 * MIN, bad())
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing'])
    await step(T0 + 61 * MIN, bad())
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'renotify'])
  })

  it('resolve by hand with a note; a re-fire within 24 h re-opens the same incident as regressed', async () => {
    await addRule()
    await step(T0, bad())
    const id = ((await openIncidents())[0] as { id: string }).id
    await step(T0 + MIN, good())
    expect((await getAlert({ ctx: { db: pg.db }, input: { projectId: projectId, id: id } })).state).toBe(
      'resolved',
    )
    await step(T0 + 3 * 3_600_000, bad())
    const re = await getAlert({ ctx: { db: pg.db }, input: { projectId: projectId, id: id } })
    expect(re).toMatchObject({ state: 'open', regressedCount: 1, resolvedAt: null })
    expect(await openIncidents()).toHaveLength(1)
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'resolved', 'regressed'])
    const done = await resolveAlert({
      ctx: { db: pg.db, config, now: () => T0 + 4 * 3_600_000 },
      input: { projectId: projectId, id: id, who: 'me', note: 'rolled back the prompt' },
    })
    expect(done).toMatchObject({ state: 'resolved', resolvedBy: 'me', resolveNote: 'rolled back the prompt' })
    // More than a day later, a new fire is a new incident.
    await step(T0 + 30 * 3_600_000, good())
    await step(T0 + 31 * 3_600_000, bad())
    expect(await openIncidents()).toHaveLength(2)
  })

  it('resolved by hand while still firing: re-opens as regressed after the grace, not before; a clear in time keeps it resolved', async () => {
    await addRule()
    await step(T0, bad())
    const id = ((await openIncidents())[0] as { id: string }).id
    const done = await resolveAlert({
      ctx: { db: pg.db, config, now: () => T0 + MIN },
      input: { projectId, id, who: 'me', note: 'looks fine' },
    })
    expect(done.state).toBe('resolved')
    expect(done.timeline.find((e) => e.type === 'resolved')?.message).toContain(
      're-opens as regressed in 5 min',
    )
    await step(T0 + 3 * MIN, bad())
    expect((await getAlert({ ctx: { db: pg.db }, input: { projectId, id } })).state).toBe('resolved')
    await step(T0 + 7 * MIN, bad())
    const re = await getAlert({ ctx: { db: pg.db }, input: { projectId, id } })
    expect(re).toMatchObject({ state: 'open', firing: true, regressedCount: 1, resolvedAt: null })
    expect(re.timeline.find((e) => e.type === 'regressed')?.message).toContain(
      'resolved by hand but still firing',
    )
    expect(
      (
        await listAlerts({ ctx: { db: pg.db }, input: { projectId, query: { state: 'firing', limit: 50 } } })
      ).items.map((a) => a.id),
    ).toEqual([id])
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'resolved', 'regressed'])
    // Resolved again, and this time the rule clears within the grace: it stays resolved and not firing.
    await resolveAlert({
      ctx: { db: pg.db, config, now: () => T0 + 8 * MIN },
      input: { projectId, id, who: 'me', note: 'rolled back' },
    })
    await step(T0 + 9 * MIN, good())
    await step(T0 + 20 * MIN, good())
    expect(await getAlert({ ctx: { db: pg.db }, input: { projectId, id } })).toMatchObject({
      state: 'resolved',
      firing: false,
    })
  })

  it('3+ flips in an hour marks the incident flapping and holds it open until it settles', async () => {
    await addRule()
    for (let i = 0; i < 3; i++) {
      await step(T0 + 2 * i * MIN, bad())
      await step(T0 + (2 * i + 1) * MIN, good())
    }
    const all = await openIncidents()
    expect(all).toHaveLength(1)
    expect(all[0]).toMatchObject({ state: 'open', flapping: true, firing: false, regressedCount: 2 })
    const paged = ['firing', 'resolved', 'regressed', 'resolved', 'regressed']
    expect((await deliveries()).map((d) => d.event)).toEqual(paged)
    // Held open: further flips neither resolve nor page again.
    await step(T0 + 6 * MIN, bad())
    await step(T0 + 7 * MIN, good())
    expect((await openIncidents())[0]).toMatchObject({ state: 'open', flapping: true })
    expect((await deliveries()).map((d) => d.event)).toEqual(paged)
    // An hour later the flips have aged out: the held incident resolves.
    await step(T0 + 70 * MIN, good())
    expect((await openIncidents())[0]).toMatchObject({ state: 'resolved', flapping: false })
  })

  it('snooze until a time silences re-notification; snooze until worse wakes when it gets worse', async () => {
    await addRule()
    await step(T0, bad())
    const id = ((await openIncidents())[0] as { id: string }).id
    const ctx = { db: pg.db, config, now: () => T0 + MIN }
    await snoozeAlert({
      ctx: ctx,
      input: { projectId: projectId, id: id, who: 'me', snooze: { until: new Date(T0 + 3 * 3_600_000) } },
    })
    await step(T0 + 2 * 3_600_000, bad())
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing'])
    await step(T0 + 4 * 3_600_000, bad())
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'renotify'])

    const s = await snoozeAlert({
      ctx: ctx,
      input: { projectId: projectId, id: id, who: 'me', snooze: { untilWorse: true } },
    })
    expect(s.snoozedUntilWorse).toBe(0.08)
    await step(T0 + 6 * 3_600_000, [mv(0.079, 0.07, 0.09, 1500)])
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'renotify'])
    await step(T0 + 6 * 3_600_000 + MIN, [mv(0.12, 0.1, 0.14, 1500)])
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'renotify', 'worse'])
    expect(
      (await getAlert({ ctx: { db: pg.db }, input: { projectId: projectId, id: id } })).snoozedUntilWorse,
    ).toBeNull()
  })

  it('deleting a rule resolves its open incident and keeps the history', async () => {
    const rule = await addRule()
    await step(T0, bad())
    const id = ((await openIncidents())[0] as { id: string }).id
    await deleteRule({
      ctx: { db: pg.db, config, now: () => T0 + MIN },
      input: { projectId: projectId, id: rule.id },
    })
    const after = await getAlert({ ctx: { db: pg.db }, input: { projectId: projectId, id: id } })
    expect(after).toMatchObject({
      state: 'resolved',
      resolveNote: 'rule deleted',
      rule: 'False refusals above 5%',
    })
    expect((await deliveries()).map((d) => d.event)).toEqual(['firing', 'resolved'])
    expect(await evaluateOnce(deps(), T0 + 2 * MIN, { projectId })).toEqual([])
    expect(await pg.db.select().from(alertInstances)).toEqual([])
  })

  it('evidence names the slice driving the change', async () => {
    await addRule()
    src.set('false_refusal_rate/model', [
      mv(0.021, 0.01, 0.03, 800, { model: 'small' }),
      mv(0.17, 0.15, 0.19, 440, { model: 'large' }),
    ])
    src.set('false_refusal_rate/route', [mv(0.08, 0.065, 0.093, 1240, { route: 'chat' })])
    await step(T0, bad())
    const [inc] = await openIncidents()
    expect(((inc?.evidence ?? {}) as { slice: unknown }).slice).toMatchObject({
      dimension: 'model',
      labels: { model: 'large' },
      share: 1,
    })
  })
})

describe('scheduler', () => {
  it('honours each rule interval, and only the lock holder evaluates', async () => {
    await addRule({ interval: '1m' })
    src.set('false_refusal_rate', good())
    let now = T0
    const a = startAlertScheduler({ ...deps(), notify: {}, now: () => now, tickMs: 3_600_000 })
    const b = startAlertScheduler({ ...deps(), notify: {}, now: () => now, tickMs: 3_600_000 })
    try {
      const evals = () => src.queries.length
      await a.tick()
      await b.tick()
      expect(evals()).toBe(1)
      now += 30_000
      await a.tick()
      await b.tick()
      expect(evals()).toBe(1)
      now += 30_000
      await a.tick()
      await b.tick()
      expect(evals()).toBe(2)
      const [inst] = await pg.db.select().from(alertInstances)
      expect(inst?.lastEvalAt?.getTime()).toBe(T0 + MIN)
      // The holder stops: the other replica takes over on its next tick.
      await a.stop()
      now += MIN
      await b.tick()
      expect(evals()).toBe(3)
    } finally {
      await a.stop()
      await b.stop()
    }
  })
})

describe('advisory lock', () => {
  it('one evaluator at a time on one PGlite', async () => {
    const a = createLeaderLock(pg.db)
    const b = createLeaderLock(pg.db)
    expect(await a.acquire()).toBe(true)
    expect(await b.acquire()).toBe(false)
    expect(await a.acquire()).toBe(true)
    await a.release()
    expect(await b.acquire()).toBe(true)
    expect(await a.acquire()).toBe(false)
    await b.release()
  })

  const url = process.env.LEASH_TEST_DATABASE_URL
  it.skipIf(!url)(
    'one evaluator at a time across two PostgreSQL connections (LEASH_TEST_DATABASE_URL)',
    async () => {
      const one = await openPostgres({ url, dataDir: dir })
      const two = await openPostgres({ url, dataDir: dir })
      try {
        const a = createLeaderLock(one.db, 991_001)
        const b = createLeaderLock(two.db, 991_001)
        expect(await a.acquire()).toBe(true)
        expect(await b.acquire()).toBe(false)
        expect(await a.acquire()).toBe(true)
        await a.release()
        expect(await b.acquire()).toBe(true)
        expect(await a.acquire()).toBe(false)
        await b.release()
      } finally {
        await Promise.all([one.close(), two.close()])
      }
    },
  )
  if (!url)
    it.skip('PostgreSQL lock test skipped: set LEASH_TEST_DATABASE_URL (CI has PostgreSQL 15)', () => {})
})
