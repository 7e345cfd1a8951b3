import { randomUUID } from 'node:crypto'
import type { ClickHouseClient } from '@clickhouse/client'
import type { FeedbackAccepted, FeedbackInput } from '@leash/shared'
import { z } from 'zod'
import { uuidV7Millis } from '../core/uuid.ts'
import { defineInsert, defineQuery } from '../db/clickhouse/query.ts'
import { LeashError } from '../errors.ts'
import { normalizedEditDistance } from './edit-distance.ts'

const DAY_MS = 86_400_000

const EventRow = z.object({
  time_ms: z.coerce.number(),
  model: z.string(),
  route: z.string(),
  feature: z.string(),
  policy_version: z.string(),
  response_text: z.string(),
})

// A UUIDv7 carries its time, so the lookup prunes to a two-day slice of the sort key.
const LOOKUP_SQL = (bounded: boolean) => `
SELECT toUnixTimestamp64Milli(time) AS time_ms, model, route, feature, policy_version, response_text
FROM raw_responses_v1 FINAL
WHERE project_id = {projectId:String} AND event_id = {eventId:UUID}${
  bounded
    ? ` AND time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`
    : ''
}
LIMIT 1`

const feedbackEvent = defineQuery({
  name: 'feedback_event_lookup',
  params: z.object({
    projectId: z.string(),
    eventId: z.string(),
    fromMs: z.number().optional(),
    toMs: z.number().optional(),
  }),
  row: EventRow,
  sql: (p) => LOOKUP_SQL(p.fromMs !== undefined),
})

/** A `feedback_v1` row as inserted. */
const FeedbackRow = z.object({
  project_id: z.string(),
  feedback_id: z.string(),
  event_id: z.string(),
  event_time: z.number(),
  received_at: z.number(),
  model: z.string(),
  route: z.string(),
  feature: z.string(),
  policy_version: z.string(),
  thumbs: z.number().int(),
  task_completed: z.number().int(),
  refusal_wrong: z.number().int(),
  edit_distance: z.number().nullable(),
  edited_text: z.string(),
  comment: z.string(),
})

const insertFeedback = defineInsert({
  name: 'insert_feedback',
  table: 'feedback_v1',
  row: (r: z.input<typeof FeedbackRow>) => FeedbackRow.parse(r),
})

/**
 * Stores one feedback post about an exchange of `projectId`. An event id of another project is "not found",
 * exactly like an unknown one, so ids never leak across projects.
 */
export async function recordFeedback({
  ctx: { ch },
  input: { projectId, feedback: input, now = Date.now() },
}: {
  ctx: { ch: ClickHouseClient }
  input: { projectId: string; feedback: FeedbackInput; now?: number }
}): Promise<FeedbackAccepted> {
  const t = uuidV7Millis(input.eventId)
  const bounds = t === null ? {} : { fromMs: t - DAY_MS, toMs: t + DAY_MS }
  const event = (await feedbackEvent(ch)({ projectId, eventId: input.eventId, ...bounds }))[0]
  if (!event) throw new LeashError('not_found', `no exchange ${input.eventId} in this project`)

  const editDistance =
    input.editedText !== undefined ? normalizedEditDistance(event.response_text, input.editedText) : null
  const id = randomUUID()
  await insertFeedback(ch)([
    {
      project_id: projectId,
      feedback_id: id,
      event_id: input.eventId,
      event_time: event.time_ms,
      received_at: now,
      model: event.model,
      route: event.route,
      feature: event.feature,
      policy_version: event.policy_version,
      thumbs: input.thumbs === 'up' ? 1 : input.thumbs === 'down' ? -1 : 0,
      task_completed: input.taskCompleted === undefined ? -1 : input.taskCompleted ? 1 : 0,
      refusal_wrong: input.refusalWrong ? 1 : 0,
      edit_distance: editDistance,
      edited_text: input.editedText ?? '',
      comment: input.comment ?? '',
    },
  ])
  return { id, eventId: input.eventId, editDistance }
}
