import type { AlertRule, AlertRuleParsed } from '@leash/shared'
import { and, asc, eq, inArray, isNull, ne } from 'drizzle-orm'
import { alertInstances, alertRules, type Db, incidents, notificationChannels } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'
import { findMetric } from '../metrics/catalog.ts'
import { addEvent, type LifecycleConfig, notify } from './lifecycle.ts'
import { toRuleConfig } from './rule-config.ts'

type Row = typeof alertRules.$inferSelect

export function toRow(r: AlertRuleParsed) {
  const s = r.spec
  return {
    name: r.name,
    kind: s.kind,
    metric: s.kind === 'tradeoff' ? s.a.metric : s.metric,
    spec: s,
    window: r.window,
    interval: r.interval,
    severity: r.severity,
    minSamples: r.minSamples ?? null,
    forWindows: r.for,
    clearThreshold: 'clear' in s && s.clear !== undefined ? s.clear : null,
    keepFiringFor: r.keepFiringFor,
    groupBy: r.groupBy,
    runbookUrl: r.runbookUrl ?? null,
    channels: r.channels,
    enabled: r.enabled,
  }
}

export function toAlertRule(r: Row): AlertRule {
  return {
    id: r.id,
    projectId: r.projectId,
    name: r.name,
    spec: r.spec,
    window: r.window,
    interval: r.interval,
    severity: r.severity as AlertRule['severity'],
    minSamples: r.minSamples ?? undefined,
    for: r.forWindows,
    keepFiringFor: r.keepFiringFor,
    groupBy: r.groupBy as AlertRule['groupBy'],
    runbookUrl: r.runbookUrl ?? undefined,
    channels: r.channels,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }
}

/** Metrics must exist in the catalog, and channels must belong to the rule's project. */
async function check(db: Db, projectId: string, r: AlertRuleParsed): Promise<void> {
  const s = r.spec
  const metrics = s.kind === 'tradeoff' ? [s.a.metric, s.b.metric] : [s.metric]
  for (const m of metrics) {
    if (!findMetric(m)) throw new LeashError('bad_request', `spec: unknown metric '${m}'`)
  }
  if (r.channels.length) {
    const found = await db
      .select({ id: notificationChannels.id })
      .from(notificationChannels)
      .where(and(eq(notificationChannels.projectId, projectId), inArray(notificationChannels.id, r.channels)))
    if (found.length !== new Set(r.channels).size)
      throw new LeashError('bad_request', 'channels: unknown notification channel for this project')
  }
}

export async function listRules({ ctx, input }: { ctx: { db: Db }; input: { projectId: string } }) {
  const { db } = ctx
  const { projectId } = input
  const rows = await db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.projectId, projectId), isNull(alertRules.deletedAt)))
    .orderBy(asc(alertRules.createdAt))
  const ids = rows.map((r) => r.id)
  const instances = ids.length
    ? await db.select().from(alertInstances).where(inArray(alertInstances.ruleId, ids))
    : []
  // Each rule carries its instances' evaluation state, so an EvalError is visible from the list.
  return rows.map((r) => ({
    ...toAlertRule(r),
    instances: instances.filter((i) => i.ruleId === r.id).map(toInstance),
  }))
}

async function findRule(db: Db, projectId: string, id: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.projectId, projectId), eq(alertRules.id, id), isNull(alertRules.deletedAt)))
  if (!row) throw new LeashError('not_found', `alert rule '${id}' not found`)
  return row
}

export async function getRule({ ctx, input }: { ctx: { db: Db }; input: { projectId: string; id: string } }) {
  const { db } = ctx
  const { projectId, id } = input
  const row = await findRule(db, projectId, id)
  const instances = await db.select().from(alertInstances).where(eq(alertInstances.ruleId, id))
  return {
    ...toAlertRule(row),
    instances: instances.map(toInstance),
  }
}

function toInstance(i: typeof alertInstances.$inferSelect) {
  return {
    fingerprint: i.fingerprint,
    labels: i.labels,
    state: i.state,
    heldState: i.heldState,
    since: i.since.toISOString(),
    lastEvalAt: i.lastEvalAt?.toISOString() ?? null,
    lastValue: i.lastValue,
    lastError: i.lastError,
  }
}

export async function createRule({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string; rule: AlertRuleParsed }
}): Promise<AlertRule> {
  const { db } = ctx
  const { projectId, rule } = input
  await check(db, projectId, rule)
  const [row] = await db
    .insert(alertRules)
    .values({ ...toRow(rule), projectId })
    .returning()
  if (!row) throw new LeashError('internal', 'rule insert returned no row')
  return toAlertRule(row)
}

export async function updateRule({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string; id: string; rule: AlertRuleParsed }
}): Promise<AlertRule> {
  const { db } = ctx
  const { projectId, id, rule } = input
  await findRule(db, projectId, id)
  await check(db, projectId, rule)
  const [row] = await db
    .update(alertRules)
    .set({ ...toRow(rule), updatedAt: new Date() })
    .where(eq(alertRules.id, id))
    .returning()
  if (!row) throw new LeashError('not_found', `alert rule '${id}' not found`)
  return toAlertRule(row)
}

/**
 * Deletes a rule for its users: hidden and never evaluated again, while the row stays so its incidents
 * keep their history. Open incidents are resolved (and their channels told, so pages close).
 */
export async function deleteRule({
  ctx,
  input,
}: {
  ctx: { db: Db; config: LifecycleConfig; now?: () => number }
  input: { projectId: string; id: string }
}): Promise<void> {
  const { db } = ctx
  const { projectId, id } = input
  const row = await findRule(db, projectId, id)
  const now = (ctx.now ?? Date.now)()
  await db
    .update(alertRules)
    .set({ deletedAt: new Date(now), enabled: false })
    .where(eq(alertRules.id, id))
  await db.delete(alertInstances).where(eq(alertInstances.ruleId, id))
  const open = await db
    .select()
    .from(incidents)
    .where(and(eq(incidents.ruleId, id), ne(incidents.state, 'resolved')))
  for (const inc of open) {
    const [done] = await db
      .update(incidents)
      .set({
        state: 'resolved',
        firing: false,
        resolvedAt: new Date(now),
        resolvedBy: 'leash',
        resolveNote: 'rule deleted',
        timeToResolveMs: now - inc.startedAt.getTime(),
      })
      .where(eq(incidents.id, inc.id))
      .returning()
    await addEvent(db, inc.id, now, 'resolved', 'resolved: the rule was deleted')
    if (done) await notify(ctx, toRuleConfig(row), done, 'resolved', { from: 'Firing', to: 'Normal', now })
  }
}
