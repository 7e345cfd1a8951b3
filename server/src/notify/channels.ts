import type { ChannelInput } from '@leash/shared'
import { and, desc, eq } from 'drizzle-orm'
import { type Db, notificationChannels, notificationDeliveries } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'

type Row = typeof notificationChannels.$inferSelect

const SECRET_KEYS = new Set(['secret', 'routingKey', 'botToken'])

/** Secrets are stored as given (they must be sent) but never returned, not even in part: only that one is set. */
export function maskConfig(config: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(config)) {
    if (SECRET_KEYS.has(k)) out[k] = v === '' ? '' : '****'
    else if (k === 'url' && /hooks\.slack\.com/.test(v))
      out[k] = `${v.slice(0, v.indexOf('/services/') + 10)}****`
    else out[k] = v
  }
  return out
}

const toChannel = (r: Row) => ({
  id: r.id,
  projectId: r.projectId,
  kind: r.kind,
  name: r.name,
  config: maskConfig(r.config),
  createdAt: r.createdAt.toISOString(),
})

export async function listChannels({ ctx, input }: { ctx: { db: Db }; input: { projectId: string } }) {
  const { db } = ctx
  const { projectId } = input
  const rows = await db
    .select()
    .from(notificationChannels)
    .where(eq(notificationChannels.projectId, projectId))
    .orderBy(notificationChannels.createdAt)
  return rows.map(toChannel)
}

export async function createChannel({
  ctx,
  input: { channel: input, projectId },
}: {
  ctx: { db: Db }
  input: { projectId: string; channel: ChannelInput }
}) {
  const { db } = ctx
  const [row] = await db
    .insert(notificationChannels)
    .values({ projectId, kind: input.kind, name: input.name, config: input.config as Record<string, string> })
    .returning()
  if (!row) throw new LeashError('internal', 'channel insert returned no row')
  return toChannel(row)
}

export async function findChannel(db: Db, projectId: string, id: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.projectId, projectId), eq(notificationChannels.id, id)))
  if (!row) throw new LeashError('not_found', `notification channel '${id}' not found`)
  return row
}

export async function deleteChannel({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string; id: string }
}): Promise<void> {
  const { db } = ctx
  const { projectId, id } = input
  await findChannel(db, projectId, id)
  await db.delete(notificationChannels).where(eq(notificationChannels.id, id))
}

/** Delivery attempts, newest first: a failing channel is visible here (status, attempts, last error). */
export async function listDeliveries({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string; id: string; limit?: number }
}) {
  const { db } = ctx
  const { projectId, id, limit = 100 } = input
  const ch = await findChannel(db, projectId, id)
  const rows = await db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.channelId, id))
    .orderBy(desc(notificationDeliveries.createdAt))
    .limit(limit)
  return {
    channel: toChannel(ch),
    items: rows.map((d) => ({
      id: d.id,
      incidentId: d.incidentId,
      event: d.event,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      responseStatus: d.responseStatus,
      nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
      createdAt: d.createdAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
    })),
  }
}
