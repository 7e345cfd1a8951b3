import { and, desc, eq, ne } from 'drizzle-orm'
import { type Db, incidentEvents, incidents } from '../db/postgres/index.ts'
import type { Logger } from '../log.ts'
import type { AlertNotice, NoticeEvent } from '../notify/notice.ts'
import { enqueueNotice } from '../notify/queue.ts'
import { collectEvidence } from './evidence.ts'
import { FLAPPING_FLIPS, type Transition } from './machine.ts'
import { isWorse, type Observation } from './observation.ts'
import { type RuleConfig, ruleMetric } from './rule-config.ts'
import type { MetricSource } from './source.ts'

export type Incident = typeof incidents.$inferSelect

export interface LifecycleConfig {
  /** A re-fire within this time re-opens the resolved incident as regressed (default 24 h). */
  regressWithinMs: number
  /** An acknowledged incident still firing after this re-opens and notifies again (default 4 h). */
  ackExpiryMs: number
  /** An open, unacknowledged incident is re-notified this often (default 1 h). */
  repeatIntervalMs: number
  /** An incident resolved by hand while its rule still fires re-opens as regressed after this (default 5 min). */
  reopenGraceMs?: number
  publicUrl: string
}

export const REOPEN_GRACE_MS = 5 * 60_000

export const DEFAULT_LIFECYCLE: Omit<LifecycleConfig, 'publicUrl'> = {
  regressWithinMs: 86_400_000,
  ackExpiryMs: 4 * 3_600_000,
  repeatIntervalMs: 3_600_000,
  reopenGraceMs: REOPEN_GRACE_MS,
}

export interface LifecycleDeps {
  db: Db
  source: MetricSource
  log: Logger
  config: LifecycleConfig
}

export interface InstanceRef {
  fingerprint: string
  labels: Record<string, string>
}

export async function addEvent(
  db: Db,
  incidentId: string,
  at: number,
  type: string,
  message: string,
  data: Record<string, unknown> = {},
  actor: string | null = null,
): Promise<void> {
  await db.insert(incidentEvents).values({ incidentId, at: new Date(at), type, message, data, actor })
}

export async function latestIncident(db: Db, ruleId: string, fp: string): Promise<Incident | undefined> {
  const [row] = await db
    .select()
    .from(incidents)
    .where(and(eq(incidents.ruleId, ruleId), eq(incidents.fingerprint, fp)))
    .orderBy(desc(incidents.startedAt))
    .limit(1)
  return row
}

const snoozed = (inc: Incident, now: number) =>
  (inc.snoozedUntil !== null && inc.snoozedUntil.getTime() > now) || inc.snoozeUntilWorse !== null

export function incidentUrl(publicUrl: string, id: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/alerts/${id}`
}

/** Builds the channel-neutral notice for an incident (or a rule-level evaluation error). */
export function buildNotice(
  cfg: LifecycleConfig,
  rule: RuleConfig,
  inst: InstanceRef,
  event: NoticeEvent,
  opts: {
    incident?: Incident
    obs?: Observation | null
    from: string
    to: string
    now: number
    error?: string
  },
): AlertNotice {
  const ev = (opts.incident?.evidence ?? {}) as {
    examples?: Array<{ eventId: string; excerpt: string }>
    value?: number | null
    threshold?: number
    baseline?: { value?: number | null } | null
    interval?: [number, number] | null
    n?: number
    summary?: string
  }
  const obs = opts.obs
  const resolved = event === 'resolved'
  return {
    event,
    status: resolved ? 'resolved' : 'firing',
    incidentId: opts.incident?.id ?? null,
    projectId: rule.projectId,
    ruleId: rule.id,
    ruleName: rule.name,
    kind: rule.spec.kind,
    severity: rule.severity,
    fingerprint: inst.fingerprint,
    labels: inst.labels,
    state: opts.to,
    previousState: opts.from,
    incidentState: opts.incident?.state ?? null,
    startsAt: (opts.incident?.startedAt ?? new Date(opts.now)).toISOString(),
    endsAt: resolved ? new Date(opts.now).toISOString() : null,
    summary: opts.error
      ? `${rule.name}: evaluation failed: ${opts.error}`
      : (obs?.summary ?? ev.summary ?? rule.name),
    metric: ruleMetric(rule.spec),
    value: obs ? obs.value : (ev.value ?? null),
    threshold: obs ? obs.threshold : (ev.threshold ?? null),
    baseline: obs ? (obs.baseline?.value ?? null) : (ev.baseline?.value ?? null),
    interval: obs ? (obs.lo !== null && obs.hi !== null ? [obs.lo, obs.hi] : null) : (ev.interval ?? null),
    n: obs ? obs.n : (ev.n ?? 0),
    window: rule.window,
    examples: (ev.examples ?? []).map((e) => ({ eventId: e.eventId, excerpt: e.excerpt })),
    runbookUrl: rule.runbookUrl,
    incidentUrl: opts.incident ? incidentUrl(cfg.publicUrl, opts.incident.id) : cfg.publicUrl,
    acknowledgedBy: opts.incident?.acknowledgedBy ?? null,
    error: opts.error ?? null,
  }
}

export async function notify(
  deps: Pick<LifecycleDeps, 'db' | 'config'>,
  rule: RuleConfig,
  inc: Incident,
  event: NoticeEvent,
  opts: { obs?: Observation | null; from: string; to: string; now: number },
): Promise<void> {
  const inst = { fingerprint: inc.fingerprint, labels: inc.labels }
  const notice = buildNotice(deps.config, rule, inst, event, { ...opts, incident: inc })
  const queued = await enqueueNotice(deps.db, rule.channels, notice, opts.now)
  await deps.db
    .update(incidents)
    .set({ lastNotifiedAt: new Date(opts.now) })
    .where(eq(incidents.id, inc.id))
  // No channel, no row: "queued for 0 channel(s)" on every event was noise on the timeline.
  if (queued > 0) {
    const where = queued === 1 ? '1 channel' : `${queued} channels`
    await addEvent(deps.db, inc.id, opts.now, 'notification', `${event} notice queued for ${where}`, {
      event,
      channels: queued,
    })
  }
}

/** The rule of an incident resolved by hand stopped firing: it no longer reads as firing. */
async function markCleared(db: Db, ruleId: string, fp: string): Promise<void> {
  const last = await latestIncident(db, ruleId, fp)
  if (last?.state === 'resolved' && last.firing)
    await db.update(incidents).set({ firing: false }).where(eq(incidents.id, last.id))
}

/**
 * A person resolved the incident while its rule still fired: once the grace has passed and it still fires,
 * the same incident re-opens as regressed, so a hand resolve can never hide a live breach.
 */
async function reopenIfResolvedWhileFiring(
  deps: LifecycleDeps,
  rule: RuleConfig,
  inst: InstanceRef,
  obs: Observation,
  now: number,
): Promise<void> {
  const { db } = deps
  const last = await latestIncident(db, rule.id, inst.fingerprint)
  if (last?.state !== 'resolved' || !last.firing || !last.resolvedAt) return
  if (last.resolvedBy === 'leash') return
  const grace = deps.config.reopenGraceMs ?? REOPEN_GRACE_MS
  if (now - last.resolvedAt.getTime() < grace) return
  const evidence = await collectEvidence(deps.source, rule, obs, now)
  const [inc] = await db
    .update(incidents)
    .set({
      state: 'open',
      regressedCount: last.regressedCount + 1,
      resolvedAt: null,
      resolvedBy: null,
      resolveNote: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      timeToResolveMs: null,
      evidence,
    })
    .where(eq(incidents.id, last.id))
    .returning()
  if (!inc) return
  const mins = Math.round(grace / 60_000)
  await addEvent(
    db,
    inc.id,
    now,
    'regressed',
    `re-opened: resolved by hand but still firing ${mins} min later (${obs.summary})`,
    { regressedCount: inc.regressedCount, resolvedWhileFiring: true },
  )
  await notify(deps, rule, inc, 'regressed', { from: 'Firing', to: 'Firing', now, obs })
}

/** Applies one instance transition to its incident: open, regress, resolve, re-notify, snooze, flapping. */
export async function applyLifecycle(
  deps: LifecycleDeps,
  rule: RuleConfig,
  inst: InstanceRef,
  t: Transition,
  obs: Observation | null,
  now: number,
): Promise<void> {
  const { db } = deps
  const states = { from: t.from, to: t.to, now, obs }
  const flapping = t.next.flips.length >= FLAPPING_FLIPS
  if (t.fired && obs) {
    const last = await latestIncident(db, rule.id, inst.fingerprint)
    const evidence = await collectEvidence(deps.source, rule, obs, now)
    if (last && last.state !== 'resolved') {
      const [inc] = await db
        .update(incidents)
        .set({ firing: true, flapping: last.flapping || flapping, evidence })
        .where(eq(incidents.id, last.id))
        .returning()
      await addEvent(db, last.id, now, 'refired', `fired again: ${obs.summary}`, { flapping })
      if (inc && flapping && !last.flapping)
        await addEvent(db, last.id, now, 'flapping', 'flapping: held open')
      return
    }
    if (last?.resolvedAt && now - last.resolvedAt.getTime() < deps.config.regressWithinMs) {
      const [inc] = await db
        .update(incidents)
        .set({
          state: 'open',
          firing: true,
          regressedCount: last.regressedCount + 1,
          resolvedAt: null,
          resolvedBy: null,
          resolveNote: null,
          acknowledgedAt: null,
          acknowledgedBy: null,
          timeToResolveMs: null,
          flapping: last.flapping || flapping,
          evidence,
        })
        .where(eq(incidents.id, last.id))
        .returning()
      if (!inc) return
      await addEvent(db, inc.id, now, 'regressed', `regressed (re-fired within 24 h): ${obs.summary}`, {
        regressedCount: inc.regressedCount,
      })
      if (flapping && !last.flapping) await addEvent(db, inc.id, now, 'flapping', 'flapping: held open')
      if (!snoozed(inc, now)) await notify(deps, rule, inc, 'regressed', states)
      return
    }
    const [inc] = await db
      .insert(incidents)
      .values({
        projectId: rule.projectId,
        ruleId: rule.id,
        fingerprint: inst.fingerprint,
        severity: rule.severity,
        labels: inst.labels,
        startedAt: new Date(now),
        evidence,
        flapping,
      })
      .returning()
    if (!inc) throw new Error('incident insert returned no row')
    await addEvent(db, inc.id, now, 'opened', `opened: ${obs.summary}`, { state: t.to })
    await notify(deps, rule, inc, 'firing', states)
    return
  }

  const [inc] = await db
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.ruleId, rule.id),
        eq(incidents.fingerprint, inst.fingerprint),
        ne(incidents.state, 'resolved'),
      ),
    )
    .orderBy(desc(incidents.startedAt))
    .limit(1)
  if (!inc) {
    if (t.to === 'Firing' && obs?.outcome === 'bad')
      await reopenIfResolvedWhileFiring(deps, rule, inst, obs, now)
    else if (t.cleared) await markCleared(db, rule.id, inst.fingerprint)
    return
  }

  if (t.cleared || (!inc.firing && t.to === 'Normal')) {
    if (flapping) {
      if (inc.firing) {
        await db.update(incidents).set({ firing: false, flapping: true }).where(eq(incidents.id, inc.id))
        await addEvent(
          db,
          inc.id,
          now,
          'held_open',
          'recovered, but flapping (3+ flips in an hour): held open',
        )
      }
      return
    }
    const [done] = await db
      .update(incidents)
      .set({
        state: 'resolved',
        firing: false,
        flapping: false,
        resolvedAt: new Date(now),
        resolvedBy: 'leash',
        timeToResolveMs: now - inc.startedAt.getTime(),
      })
      .where(eq(incidents.id, inc.id))
      .returning()
    if (!done) return
    await addEvent(db, inc.id, now, 'resolved', `resolved automatically: ${obs?.summary ?? 'back to normal'}`)
    await notify(deps, rule, done, 'resolved', states)
    return
  }

  if (!(t.to === 'Firing' || t.to === 'Recovering') || !obs || obs.outcome === 'insufficient') return
  await db
    .update(incidents)
    .set({
      evidence: {
        ...inc.evidence,
        latest: { value: obs.value, lo: obs.lo, hi: obs.hi, n: obs.n, at: new Date(now).toISOString() },
      },
    })
    .where(eq(incidents.id, inc.id))
  if (inc.snoozeUntilWorse !== null && obs.value !== null) {
    const worse = isWorse(obs.op, obs.value, inc.snoozeUntilWorse)
    if (worse) {
      const [fresh] = await db
        .update(incidents)
        .set({ snoozeUntilWorse: null, state: 'open' })
        .where(eq(incidents.id, inc.id))
        .returning()
      await addEvent(db, inc.id, now, 'snooze_ended', `got worse (${obs.summary}): snooze ended`)
      if (fresh) await notify(deps, rule, fresh, 'worse', states)
    }
    return
  }
  if (snoozed(inc, now)) return
  if (inc.state === 'acknowledged' && inc.acknowledgedAt) {
    if (now - inc.acknowledgedAt.getTime() < deps.config.ackExpiryMs) return
    const [fresh] = await db
      .update(incidents)
      .set({ state: 'open' })
      .where(eq(incidents.id, inc.id))
      .returning()
    await addEvent(
      db,
      inc.id,
      now,
      'ack_expired',
      'still firing after the acknowledgement expired: re-opened',
    )
    if (fresh) await notify(deps, rule, fresh, 'ack_expired', states)
    return
  }
  const last = (inc.lastNotifiedAt ?? inc.startedAt).getTime()
  if (inc.state === 'open' && now - last >= deps.config.repeatIntervalMs) {
    await notify(deps, rule, inc, 'renotify', states)
  }
}
