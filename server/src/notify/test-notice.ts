import { eq } from 'drizzle-orm'
import { type Db, notificationDeliveries } from '../db/postgres/index.ts'
import type { Logger } from '../log.ts'
import { findChannel } from './channels.ts'
import type { AlertNotice } from './notice.ts'
import { attemptDelivery } from './queue.ts'

/** A notice that says what it is, with no incident behind it (PagerDuty gets an `info` trigger). */
function testNotice(projectId: string, channelId: string, publicUrl: string, now: number): AlertNotice {
  return {
    event: 'test',
    status: 'firing',
    incidentId: null,
    projectId,
    ruleId: 'test',
    ruleName: 'Leash test notification',
    kind: 'test',
    severity: 'info',
    fingerprint: `test-${channelId}`,
    labels: {},
    state: 'Normal',
    previousState: 'Normal',
    incidentState: null,
    startsAt: new Date(now).toISOString(),
    endsAt: null,
    summary: 'Test notification from Leash: this channel works. No action needed.',
    metric: '',
    value: null,
    threshold: null,
    baseline: null,
    interval: null,
    n: 0,
    window: '',
    examples: [],
    runbookUrl: null,
    incidentUrl: publicUrl,
    acknowledgedBy: null,
    error: null,
  }
}

/**
 * Sends one test notice to a channel now, once (no retries), and records it with the channel's deliveries,
 * so a wrong URL or key shows as a failed delivery with the receiver's answer.
 */
export async function sendTestNotification({
  ctx,
  input,
}: {
  ctx: { db: Db; log: Logger; publicUrl: string; pagerDutyUrl?: string | undefined; now?: () => number }
  input: { projectId: string; id: string }
}) {
  const { db } = ctx
  const ch = await findChannel(db, input.projectId, input.id)
  const now = (ctx.now ?? Date.now)()
  const notice = testNotice(input.projectId, ch.id, ctx.publicUrl, now)
  const [row] = await db
    .insert(notificationDeliveries)
    .values({
      channelId: ch.id,
      incidentId: null,
      event: 'test',
      payload: notice as unknown as Record<string, unknown>,
      nextAttemptAt: new Date(now),
      createdAt: new Date(now),
    })
    .returning()
  if (!row) throw new Error('delivery insert returned no row')
  const deps = {
    db,
    log: ctx.log,
    publicUrl: ctx.publicUrl,
    maxAttempts: 1,
    ...(ctx.pagerDutyUrl ? { pagerDutyUrl: ctx.pagerDutyUrl } : {}),
  }
  await attemptDelivery(deps, row, now)
  const [done] = await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, row.id))
  if (!done) throw new Error('test delivery vanished')
  return {
    id: done.id,
    status: done.status,
    responseStatus: done.responseStatus,
    lastError: done.lastError,
    deliveredAt: done.deliveredAt?.toISOString() ?? null,
  }
}
