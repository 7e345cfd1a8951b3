import { z } from 'zod'

/** One row of `scores_v1`: one (event, scorer, version, metric name). */
export const ScoreRow = z.object({
  eventId: z.string(),
  projectId: z.string(),
  time: z.number(),
  scorer: z.string(),
  scorerVersion: z.string(),
  name: z.string(),
  value: z.number(),
  /** Empty string when the score has no label. */
  label: z.string(),
})
export type ScoreRow = z.infer<typeof ScoreRow>

/** What a scorer returns for one exchange and one metric name. */
export const ScoreValue = z.object({
  name: z.string(),
  value: z.number(),
  label: z.string().optional(),
})
export type ScoreValue = z.infer<typeof ScoreValue>
