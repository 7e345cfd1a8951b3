import { and, asc, eq, inArray, lte } from 'drizzle-orm'
import { type Db, incidents, notificationChannels, notificationDeliveries } from '../db/postgres/index.ts'
import type { Logger } from '../log.ts'
import { alertmanagerPayload } from './alertmanager.ts'
import type { AlertNotice } from './notice.ts'
import { PAGERDUTY_EVENTS_URL, pagerDutyEvent } from './pagerduty.ts'
import { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './sign.ts'
import { slackMessage } from './slack.ts'

export interface NotifyConfig {
  /** Base URL of the dashboard, for incident links. */
  publicUrl: string
  /** PagerDuty Events v2 endpoint (configurable so tests can point it at loopback). */
  pagerDutyUrl?: string
  maxAttempts?: number
  timeoutMs?: number
  /** Backoff base and cap (ms); the delay doubles per attempt with jitter. */
  backoffBaseMs?: number
  backoffCapMs?: number
  random?: () => number
}

export interface NotifyDeps extends NotifyConfig {
  db: Db
  log: Logger
}

const DEFAULTS = { maxAttempts: 8, timeoutMs: 10_000, backoffBaseMs: 2_000, backoffCapMs: 300_000 }

/** Queues one notice per channel; sending happens in `deliverDue`, so a slow channel never blocks evaluation. */
export async function enqueueNotice(
  db: Db,
  channelIds: string[],
  notice: AlertNotice,
  now: number,
): Promise<number> {
  if (channelIds.length === 0) return 0
  const channels = await db
    .select({ id: notificationChannels.id })
    .from(notificationChannels)
    .where(
      and(inArray(notificationChannels.id, channelIds), eq(notificationChannels.projectId, notice.projectId)),
    )
  if (channels.length === 0) return 0
  const at = new Date(now)
  await db.insert(notificationDeliveries).values(
    channels.map((c) => ({
      channelId: c.id,
      incidentId: notice.incidentId,
      event: notice.event,
      payload: notice as unknown as Record<string, unknown>,
      nextAttemptAt: at,
      createdAt: at,
    })),
  )
  return channels.length
}

/** Full-jitter exponential backoff: between half and all of base * 2^(attempt-1), capped. */
export function backoffMs(attempt: number, cfg: Partial<NotifyConfig> = {}): number {
  const base = cfg.backoffBaseMs ?? DEFAULTS.backoffBaseMs
  const cap = cfg.backoffCapMs ?? DEFAULTS.backoffCapMs
  const raw = Math.min(cap, base * 2 ** Math.max(0, attempt - 1))
  return Math.round(raw * (0.5 + 0.5 * (cfg.random ?? Math.random)()))
}

class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null,
  ) {
    super(message)
  }
}

interface Outbound {
  url: string
  headers: Record<string, string>
  body: string
}

/** Sends every due delivery once; returns how many were attempted. Errors are recorded, never thrown. */
export async function deliverDue(deps: NotifyDeps, now: number, limit = 50): Promise<number> {
  const due = await deps.db
    .select()
    .from(notificationDeliveries)
    .where(
      and(
        eq(notificationDeliveries.status, 'pending'),
        lte(notificationDeliveries.nextAttemptAt, new Date(now)),
      ),
    )
    .orderBy(asc(notificationDeliveries.createdAt))
    .limit(limit)
  for (const d of due) await attemptDelivery(deps, d, now)
  return due.length
}

type DeliveryRow = typeof notificationDeliveries.$inferSelect

/** One attempt at one delivery: delivered, rescheduled with backoff, or failed for good. Never throws. */
export async function attemptDelivery(deps: NotifyDeps, d: DeliveryRow, now: number): Promise<void> {
  const attempts = d.attempts + 1
  try {
    const status = await sendOne(deps, d.channelId, d.incidentId, d.payload as unknown as AlertNotice)
    await deps.db
      .update(notificationDeliveries)
      .set({
        status: 'delivered',
        attempts,
        responseStatus: status,
        lastError: null,
        deliveredAt: new Date(now),
      })
      .where(eq(notificationDeliveries.id, d.id))
  } catch (err) {
    const e =
      err instanceof SendError ? err : new SendError(String((err as Error)?.message ?? err), true, null)
    const max = deps.maxAttempts ?? DEFAULTS.maxAttempts
    const dead = !e.retryable || attempts >= max
    deps.log(dead ? 'error' : 'warn', 'notification delivery failed', {
      deliveryId: d.id,
      channelId: d.channelId,
      attempts,
      error: e.message,
    })
    await deps.db
      .update(notificationDeliveries)
      .set({
        status: dead ? 'failed' : 'pending',
        attempts,
        lastError: e.message,
        responseStatus: e.status,
        nextAttemptAt: new Date(now + (dead ? 0 : backoffMs(attempts, deps))),
      })
      .where(eq(notificationDeliveries.id, d.id))
  }
}

async function sendOne(deps: NotifyDeps, channelId: string, incidentId: string | null, n: AlertNotice) {
  const [ch] = await deps.db.select().from(notificationChannels).where(eq(notificationChannels.id, channelId))
  if (!ch) throw new SendError('channel was deleted', false, null)
  const cfg = ch.config
  if (ch.kind === 'webhook') {
    const body = JSON.stringify(alertmanagerPayload(n, ch.name, deps.publicUrl))
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (cfg.secret) {
      const ts = String(Math.floor(Date.now() / 1000))
      headers[TIMESTAMP_HEADER] = ts
      headers[SIGNATURE_HEADER] = signBody(cfg.secret, ts, body)
    }
    return (await post(deps, { url: cfg.url as string, headers, body })).status
  }
  if (ch.kind === 'pagerduty') {
    const url = cfg.url ?? deps.pagerDutyUrl ?? PAGERDUTY_EVENTS_URL
    const body = JSON.stringify(pagerDutyEvent(n, cfg.routingKey as string))
    return (await post(deps, { url, headers: { 'content-type': 'application/json' }, body })).status
  }
  if (ch.kind === 'slack') return sendSlack(deps, ch.id, cfg, incidentId, n)
  throw new SendError(`unknown channel kind ${ch.kind}`, false, null)
}

/** Slack: with a bot token, chat.postMessage threads updates under the first message; else a webhook post. */
async function sendSlack(
  deps: NotifyDeps,
  channelId: string,
  cfg: Record<string, string>,
  incidentId: string | null,
  n: AlertNotice,
): Promise<number> {
  const isUpdate = n.event !== 'firing' && n.event !== 'eval_error' && n.event !== 'test'
  const [inc] = incidentId ? await deps.db.select().from(incidents).where(eq(incidents.id, incidentId)) : []
  const threadTs = inc?.notifyState[channelId]
  if (!(cfg.botToken && cfg.channel)) {
    const body = JSON.stringify(slackMessage(n, { isUpdate }))
    return (
      await post(deps, { url: cfg.url as string, headers: { 'content-type': 'application/json' }, body })
    ).status
  }
  const api = (cfg.apiUrl ?? 'https://slack.com/api').replace(/\/+$/, '')
  const body = JSON.stringify({ channel: cfg.channel, ...slackMessage(n, { isUpdate, threadTs }) })
  const res = await post(deps, {
    url: `${api}/chat.postMessage`,
    headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${cfg.botToken}` },
    body,
  })
  const json = JSON.parse(res.text || '{}') as { ok?: boolean; ts?: string; error?: string }
  if (!json.ok)
    throw new SendError(`slack: ${json.error ?? 'not ok'}`, json.error === 'ratelimited', res.status)
  if (inc && !threadTs && json.ts) {
    await deps.db
      .update(incidents)
      .set({ notifyState: { ...inc.notifyState, [channelId]: json.ts } })
      .where(eq(incidents.id, inc.id))
  }
  return res.status
}

async function post(deps: NotifyDeps, o: Outbound): Promise<{ status: number; text: string }> {
  let res: Response
  try {
    res = await fetch(o.url, {
      method: 'POST',
      headers: o.headers,
      body: o.body,
      signal: AbortSignal.timeout(deps.timeoutMs ?? DEFAULTS.timeoutMs),
    })
  } catch (err) {
    throw new SendError(`request failed: ${(err as Error).message}`, true, null)
  }
  const text = await res.text().catch(() => '')
  if (res.ok) return { status: res.status, text }
  const retryable = res.status >= 500 || res.status === 429 || res.status === 408
  throw new SendError(`HTTP ${res.status}: ${text.slice(0, 200)}`, retryable, res.status)
}
