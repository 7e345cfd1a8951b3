import type { ClickHouseClient } from '@clickhouse/client'
import type { ExchangeFeedback } from '@leash/shared'
import { z } from 'zod'
import { defineQuery } from '../query.ts'

const FeedbackRowDb = z.object({
  feedback_id: z.string(),
  received_ms: z.coerce.number(),
  thumbs: z.number(),
  task_completed: z.number(),
  refusal_wrong: z.number(),
  edit_distance: z.number().nullable(),
  edited_text: z.string(),
  comment: z.string(),
})

// Feedback carries its exchange's time, so a day around the exchange's own time bounds the read.
const FEEDBACK_SQL = `
SELECT toString(feedback_id) AS feedback_id, toUnixTimestamp64Milli(received_at) AS received_ms, thumbs,
  task_completed, refusal_wrong, edit_distance, edited_text, comment
FROM feedback_v1
WHERE project_id = {projectId:String}
  AND event_time >= fromUnixTimestamp64Milli({timeMs:Int64} - 86400000, 'UTC')
  AND event_time <= fromUnixTimestamp64Milli({timeMs:Int64} + 86400000, 'UTC')
  AND event_id = {eventId:UUID}
ORDER BY received_at ASC, feedback_id ASC
LIMIT 100`

const feedbackRows = defineQuery({
  name: 'exchange_feedback',
  params: z.object({ projectId: z.string(), eventId: z.uuid(), timeMs: z.number() }),
  row: FeedbackRowDb,
  sql: FEEDBACK_SQL,
})

/** Every feedback post about one exchange, oldest first, as the API shows it. */
export const exchangeFeedback =
  (ch: ClickHouseClient) =>
  async (input: { projectId: string; eventId: string; timeMs: number }): Promise<ExchangeFeedback[]> => {
    const rows = await feedbackRows(ch)(input)
    return rows.map((r) => ({
      id: r.feedback_id,
      receivedAt: new Date(r.received_ms).toISOString(),
      thumbs: r.thumbs === 1 ? 'up' : r.thumbs === -1 ? 'down' : null,
      taskCompleted: r.task_completed === -1 ? null : r.task_completed === 1,
      refusalWrong: r.refusal_wrong === 1,
      editDistance: r.edit_distance,
      editedText: r.edited_text,
      comment: r.comment,
    }))
  }
