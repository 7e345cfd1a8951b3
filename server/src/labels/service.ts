import { randomUUID } from 'node:crypto'
import type { ClickHouseClient } from '@clickhouse/client'
import type { LabelAccepted, LabelItem } from '@leash/shared'
import { LabelInput } from '@leash/shared'
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm'
import { z } from 'zod'
import { uuidV7Millis } from '../core/uuid.ts'
import { defineInsert, defineQuery } from '../db/clickhouse/query.ts'
import type { Db } from '../db/postgres/index.ts'
import { labels } from '../db/postgres/schema/index.ts'
import { LeashError } from '../errors.ts'

const DAY_MS = 86_400_000

const eventLookup = defineQuery({
  name: 'label_event_lookup',
  params: z.object({
    projectId: z.string(),
    eventId: z.string(),
    fromMs: z.number().optional(),
    toMs: z.number().optional(),
  }),
  row: z.object({ time_ms: z.coerce.number(), model: z.string() }),
  sql: (p) => `
SELECT toUnixTimestamp64Milli(time) AS time_ms, model
FROM raw_responses_v1 FINAL
WHERE project_id = {projectId:String} AND event_id = {eventId:UUID}${
    p.fromMs !== undefined
      ? ` AND time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`
      : ''
  }
LIMIT 1`,
})

/** The exchange's time and model, or not_found (an event of another project reads exactly like an unknown one). */
export async function findEvent(
  ch: ClickHouseClient,
  projectId: string,
  eventId: string,
): Promise<{ timeMs: number; model: string }> {
  const t = uuidV7Millis(eventId)
  const bounds = t === null ? {} : { fromMs: t - DAY_MS, toMs: t + DAY_MS }
  const row = (await eventLookup(ch)({ projectId, eventId, ...bounds }))[0]
  if (!row) throw new LeashError('not_found', `no exchange ${eventId} in this project`)
  return { timeMs: row.time_ms, model: row.model }
}

const MirrorRow = z.object({
  project_id: z.string(),
  event_id: z.string(),
  event_time: z.number(),
  model: z.string(),
  name: z.string(),
  value: z.string(),
  source: z.string(),
  sample: z.string(),
  labeller: z.string(),
  deleted: z.number().int(),
  updated_at: z.number(),
})
const insertMirror = defineInsert({
  name: 'insert_labels',
  table: 'labels_v1',
  row: (r: z.input<typeof MirrorRow>) => MirrorRow.parse(r),
})

/** Mirrors label rows into ClickHouse (labels_v1), where metrics join them with scores. */
async function mirror(
  ch: ClickHouseClient,
  rows: Array<{
    projectId: string
    eventId: string
    eventTime: Date
    model: string
    name: string
    value: string
    source: string
    sample: string
    labeller: string
  }>,
  deleted = 0,
): Promise<void> {
  const now = Date.now()
  await insertMirror(ch)(
    rows.map((r) => ({
      project_id: r.projectId,
      event_id: r.eventId,
      event_time: r.eventTime.getTime(),
      model: r.model,
      name: r.name,
      value: r.value,
      source: r.source,
      sample: r.sample,
      labeller: r.labeller,
      deleted,
      updated_at: now,
    })),
  )
}

/** A label value as stored (text) and back. */
export function encodeValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v)
}
export function decodeValue(name: string, v: string): unknown {
  if (name === 'refusal') return v
  try {
    return JSON.parse(v) as unknown
  } catch {
    return v
  }
}

/**
 * Stores one label post. Each value is a row; a second label of the same event and value by the same
 * person (and source) replaces the first.
 */
export async function recordLabel({
  ctx,
  input,
}: {
  ctx: { db: Db; ch: ClickHouseClient }
  input: { projectId: string; labeller: string; label: z.input<typeof LabelInput> }
}): Promise<LabelAccepted> {
  const label = LabelInput.parse(input.label)
  const event = await findEvent(ctx.ch, input.projectId, label.eventId)
  const postId = randomUUID()
  const rows = Object.entries(label.values)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => ({
      postId,
      projectId: input.projectId,
      eventId: label.eventId,
      eventTime: new Date(event.timeMs),
      model: event.model,
      name,
      value: encodeValue(v),
      source: label.source,
      sample: label.sample,
      labeller: input.labeller,
      note: label.note ?? null,
    }))
  await ctx.db
    .insert(labels)
    .values(rows)
    .onConflictDoUpdate({
      target: [labels.projectId, labels.eventId, labels.name, labels.source, labels.labeller],
      set: {
        postId: sql`excluded.post_id`,
        value: sql`excluded.value`,
        sample: sql`excluded.sample`,
        note: sql`excluded.note`,
        createdAt: sql`now()`,
      },
    })
  await mirror(ctx.ch, rows)
  return { id: postId, eventId: label.eventId, values: label.values }
}

/** Removes a person's labels of one event (the review page's undo). */
export async function deleteLabels({
  ctx,
  input,
}: {
  ctx: { db: Db; ch: ClickHouseClient }
  input: { projectId: string; eventId: string; labeller: string }
}): Promise<number> {
  const gone = await ctx.db
    .delete(labels)
    .where(
      and(
        eq(labels.projectId, input.projectId),
        eq(labels.eventId, input.eventId),
        eq(labels.labeller, input.labeller),
      ),
    )
    .returning({
      projectId: labels.projectId,
      eventId: labels.eventId,
      eventTime: labels.eventTime,
      model: labels.model,
      name: labels.name,
      value: labels.value,
      source: labels.source,
      sample: labels.sample,
      labeller: labels.labeller,
    })
  if (gone.length) await mirror(ctx.ch, gone, 1)
  return gone.length
}

/**
 * An app user's `refusalWrong` report as a weak label (source `feedback`, sample `targeted`): the user
 * says a benign prompt was refused. Kept apart: never used for corrected rates.
 */
export async function recordWeakRefusalLabel({
  ctx,
  input,
}: {
  ctx: { db: Db; ch: ClickHouseClient }
  input: { projectId: string; eventId: string }
}): Promise<void> {
  const event = await findEvent(ctx.ch, input.projectId, input.eventId)
  const row = {
    postId: randomUUID(),
    projectId: input.projectId,
    eventId: input.eventId,
    eventTime: new Date(event.timeMs),
    model: event.model,
    name: 'refusal_wrong',
    value: 'true',
    source: 'feedback',
    sample: 'targeted',
    labeller: 'feedback',
  }
  await ctx.db.insert(labels).values(row).onConflictDoNothing()
  await mirror(ctx.ch, [row])
}

export interface LabelRow {
  postId: string
  eventId: string
  eventTime: Date
  model: string
  name: string
  value: string
  source: string
  sample: string
  labeller: string
  note: string | null
  createdAt: Date
}

/** Label rows of a project, by event or by event time, newest first. */
export async function labelRows(
  db: Db,
  q: { projectId: string; eventId?: string; from?: number; to?: number; source?: string; limit?: number },
): Promise<LabelRow[]> {
  const conds = [eq(labels.projectId, q.projectId)]
  if (q.eventId) conds.push(eq(labels.eventId, q.eventId))
  if (q.from !== undefined) conds.push(gte(labels.eventTime, new Date(q.from)))
  if (q.to !== undefined) conds.push(lt(labels.eventTime, new Date(q.to)))
  if (q.source) conds.push(eq(labels.source, q.source))
  const query = db
    .select({
      postId: labels.postId,
      eventId: labels.eventId,
      eventTime: labels.eventTime,
      model: labels.model,
      name: labels.name,
      value: labels.value,
      source: labels.source,
      sample: labels.sample,
      labeller: labels.labeller,
      note: labels.note,
      createdAt: labels.createdAt,
    })
    .from(labels)
    .where(and(...conds))
    .orderBy(desc(labels.createdAt))
  return q.limit ? query.limit(q.limit) : query
}

/** `GET /api/labels`: one item per post, its values gathered. */
export async function listLabels({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string; eventId?: string; from?: number; to?: number; source?: string; limit: number }
}): Promise<LabelItem[]> {
  const rows = await labelRows(ctx.db, { ...input, limit: input.limit * 6 })
  const byPost = new Map<string, LabelItem>()
  for (const r of rows) {
    let item = byPost.get(r.postId)
    if (!item) {
      if (byPost.size >= input.limit) continue
      item = {
        id: r.postId,
        eventId: r.eventId,
        eventTime: r.eventTime.getTime(),
        model: r.model,
        values: {},
        source: r.source as LabelItem['source'],
        sample: r.sample as LabelItem['sample'],
        labeller: r.labeller,
        note: r.note,
        createdAt: r.createdAt.getTime(),
      }
      byPost.set(r.postId, item)
    }
    item.values[r.name] = decodeValue(r.name, r.value)
  }
  return [...byPost.values()]
}

/**
 * Event ids of a project whose latest label `name` (any reviewer, human or judge) equals `value`;
 * for the exchanges filter `label.<name>=<value>`.
 */
export async function labelledEventIds(
  ctx: { db: Db },
  input: { projectId: string; name: string; value: unknown },
): Promise<string[]> {
  const rows = await ctx.db
    .selectDistinct({ eventId: labels.eventId })
    .from(labels)
    .where(
      and(
        eq(labels.projectId, input.projectId),
        eq(labels.name, input.name),
        eq(labels.value, encodeValue(input.value)),
      ),
    )
  return rows.map((r) => r.eventId)
}
