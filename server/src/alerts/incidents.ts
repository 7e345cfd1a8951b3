import type { AlertsQuery, SnoozeInput } from '@leash/shared'
import { and, asc, desc, eq, type SQL } from 'drizzle-orm'
import { alertRules, type Db, incidentEvents, incidents } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'
import { addEvent, type Incident, type LifecycleConfig, notify, REOPEN_GRACE_MS } from './lifecycle.ts'
import { toRuleConfig } from './rule-config.ts'

const STATE_FILTER: Record<NonNullable<AlertsQuery['state']>, string> = {
  firing: 'open',
  acknowledged: 'acknowledged',
  resolved: 'resolved',
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The API shape of an incident ("alert" to on-call). */
function toItem(inc: Incident, rule: { name: string; kind: string }) {
  return {
    id: inc.id,
    rule: rule.name,
    ruleId: inc.ruleId,
    kind: rule.kind,
    state: inc.state,
    severity: inc.severity,
    labels: inc.labels,
    startedAt: inc.startedAt.toISOString(),
    acknowledgedAt: inc.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: inc.acknowledgedBy,
    resolvedAt: inc.resolvedAt?.toISOString() ?? null,
    resolvedBy: inc.resolvedBy,
    resolveNote: inc.resolveNote,
    snoozedUntil: inc.snoozedUntil?.toISOString() ?? null,
    snoozedUntilWorse: inc.snoozeUntilWorse,
    regressedCount: inc.regressedCount,
    flapping: inc.flapping,
    firing: inc.firing,
    fingerprint: inc.fingerprint,
    timeToAckMs: inc.timeToAckMs,
    timeToResolveMs: inc.timeToResolveMs,
    evidence: inc.evidence,
  }
}

export async function listAlerts({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string; query: AlertsQuery }
}) {
  const { db } = ctx
  const { projectId, query: q } = input
  const conds: SQL[] = [eq(incidents.projectId, projectId)]
  if (q.state) conds.push(eq(incidents.state, STATE_FILTER[q.state]))
  const rows = await db
    .select({ inc: incidents, name: alertRules.name, kind: alertRules.kind })
    .from(incidents)
    .innerJoin(alertRules, eq(alertRules.id, incidents.ruleId))
    .where(and(...conds))
    .orderBy(desc(incidents.startedAt))
    .limit(q.limit)
  return { items: rows.map((r) => toItem(r.inc, r)) }
}

async function load(db: Db, projectId: string, id: string) {
  if (!UUID.test(id)) throw new LeashError('not_found', `alert '${id}' not found`)
  const [row] = await db
    .select({ inc: incidents, rule: alertRules })
    .from(incidents)
    .innerJoin(alertRules, eq(alertRules.id, incidents.ruleId))
    .where(and(eq(incidents.projectId, projectId), eq(incidents.id, id)))
  if (!row) throw new LeashError('not_found', `alert '${id}' not found`)
  return row
}

export async function getAlert({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string; id: string }
}) {
  const { db } = ctx
  const { projectId, id } = input
  const { inc, rule } = await load(db, projectId, id)
  const events = await db
    .select()
    .from(incidentEvents)
    .where(eq(incidentEvents.incidentId, id))
    .orderBy(asc(incidentEvents.at), asc(incidentEvents.id))
  return {
    ...toItem(inc, rule),
    runbookUrl: rule.runbookUrl,
    timeline: events.map((e) => ({
      at: e.at.toISOString(),
      type: e.type,
      actor: e.actor,
      message: e.message,
      data: e.data,
    })),
  }
}

interface ActionCtx {
  db: Db
  config: LifecycleConfig
  now?: () => number
}

export async function ackAlert({
  ctx,
  input,
}: {
  ctx: ActionCtx
  input: { projectId: string; id: string; who: string }
}) {
  const { projectId, id, who } = input
  const { inc, rule } = await load(ctx.db, projectId, id)
  if (inc.state === 'resolved') throw new LeashError('bad_request', 'alert is already resolved')
  const now = (ctx.now ?? Date.now)()
  const [updated] = await ctx.db
    .update(incidents)
    .set({
      state: 'acknowledged',
      acknowledgedAt: new Date(now),
      acknowledgedBy: who,
      timeToAckMs: inc.timeToAckMs ?? now - inc.startedAt.getTime(),
    })
    .where(eq(incidents.id, id))
    .returning()
  await addEvent(ctx.db, id, now, 'acknowledged', `acknowledged by ${who}`, {}, who)
  if (updated) {
    const st = inc.firing ? 'Firing' : 'Normal'
    await notify(ctx, toRuleConfig(rule), updated, 'acknowledged', { from: st, to: st, now })
  }
  return getAlert({ ctx, input: { projectId, id } })
}

export async function resolveAlert({
  ctx,
  input,
}: {
  ctx: ActionCtx
  input: { projectId: string; id: string; who: string; note: string }
}) {
  const { projectId, id, who, note } = input
  const { inc, rule } = await load(ctx.db, projectId, id)
  if (inc.state === 'resolved') throw new LeashError('bad_request', 'alert is already resolved')
  const now = (ctx.now ?? Date.now)()
  const [updated] = await ctx.db
    .update(incidents)
    .set({
      state: 'resolved',
      resolvedAt: new Date(now),
      resolvedBy: who,
      resolveNote: note,
      flapping: false,
      timeToResolveMs: now - inc.startedAt.getTime(),
    })
    .where(eq(incidents.id, id))
    .returning()
  const grace = ctx.config.reopenGraceMs ?? REOPEN_GRACE_MS
  const still = inc.firing
    ? ` (the rule still fires: this re-opens as regressed in ${Math.round(grace / 60_000)} min unless it clears)`
    : ''
  await addEvent(
    ctx.db,
    id,
    now,
    'resolved',
    `resolved by ${who}: ${note}${still}`,
    { note, stillFiring: inc.firing },
    who,
  )
  if (updated) {
    const st = inc.firing ? 'Firing' : 'Normal'
    await notify(ctx, toRuleConfig(rule), updated, 'resolved', { from: st, to: st, now })
  }
  return getAlert({ ctx, input: { projectId, id } })
}

export async function snoozeAlert({
  ctx,
  input: { snooze: input, ...target },
}: {
  ctx: ActionCtx
  input: { projectId: string; id: string; who: string; snooze: SnoozeInput }
}) {
  const { projectId, id, who } = target
  const { inc } = await load(ctx.db, projectId, id)
  if (inc.state === 'resolved') throw new LeashError('bad_request', 'alert is already resolved')
  const now = (ctx.now ?? Date.now)()
  if ('until' in input) {
    if (input.until.getTime() <= now) throw new LeashError('bad_request', 'until: must be in the future')
    await ctx.db.update(incidents).set({ snoozedUntil: input.until }).where(eq(incidents.id, id))
    await addEvent(
      ctx.db,
      id,
      now,
      'snoozed',
      `snoozed by ${who} until ${input.until.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      {},
      who,
    )
  } else {
    const ev = inc.evidence as { value?: number | null; latest?: { value?: number | null } }
    const value = ev.latest?.value ?? ev.value
    if (typeof value !== 'number')
      throw new LeashError('bad_request', 'this alert has no value to compare against')
    await ctx.db.update(incidents).set({ snoozeUntilWorse: value }).where(eq(incidents.id, id))
    await addEvent(ctx.db, id, now, 'snoozed', `snoozed by ${who} until worse than ${value}`, { value }, who)
  }
  return getAlert({ ctx, input: { projectId, id } })
}
