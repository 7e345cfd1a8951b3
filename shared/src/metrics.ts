import { z } from 'zod'
import { Dimension } from './vocabulary.ts'

/** Schemas of the metric catalog, series, feedback and report APIs (server: server/src/metrics, feedback, reports). */

export const MetricDefinition = z.object({
  name: z.string(),
  family: z.enum(['safety', 'usefulness', 'truth', 'cost_latency', 'control']),
  unit: z.enum(['ratio', 'ms', 'usd', 'tokens', 'score', 'count', 'per_second']),
  aggregate: z.enum(['rate', 'mean', 'quantile', 'sum', 'correlation', 'kappa']),
  description: z.string(),
  formula: z.string(),
  minSamples: z.number(),
  better: z.enum(['higher', 'lower', 'none']),
  quantile: z.number().optional(),
})
export type MetricDefinition = z.infer<typeof MetricDefinition>

export const MetricCatalogResponse = z.object({ items: z.array(MetricDefinition) })
export type MetricCatalogResponse = z.infer<typeof MetricCatalogResponse>

/** ISO-8601 or epoch ms, as epoch ms. */
const TimeParam = z.string().transform((v, ctx) => {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be ISO-8601 or epoch ms' })
    return z.NEVER
  }
  return ms
})

/** `GET /api/metrics/series` query. `groupBy` is a comma-separated list of dimensions. */
export const MetricSeriesParams = z
  .object({
    project: z.string().optional(),
    metric: z.string().min(1, 'metric is required'),
    from: TimeParam.optional(),
    to: TimeParam.optional(),
    /** Bucket size in seconds; default from the range (~60 buckets). */
    step: z.coerce
      .number()
      .int()
      .min(10)
      .max(86_400 * 31)
      .optional(),
    model: z.string().optional(),
    route: z.string().optional(),
    feature: z.string().optional(),
    policy_version: z.string().optional(),
    upstream: z.string().optional(),
    /** Rates of binary scorers: corrected with labels (the default, where labels allow) or raw. */
    estimate: z.enum(['corrected', 'raw']).default('corrected'),
    /** `k=v,k2=v2`: x-leash-tags that must all match. */
    tags: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const out: Record<string, string> = {}
        for (const pair of (v ?? '').split(',').filter(Boolean)) {
          const i = pair.indexOf('=')
          if (i <= 0) {
            ctx.addIssue({ code: 'custom', message: `tags: '${pair}' is not k=v` })
            return z.NEVER
          }
          out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim()
        }
        return out
      }),
    groupBy: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (!v) return []
        const parts = v.split(',').map((s) => s.trim())
        const out: Dimension[] = []
        for (const p of parts) {
          const r = Dimension.safeParse(p)
          if (!r.success) {
            ctx.addIssue({ code: 'custom', message: `groupBy: unknown dimension '${p}'` })
            return z.NEVER
          }
          out.push(r.data)
        }
        return out
      }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.to > q.from, '`from` must be before `to`')
export type MetricSeriesParams = z.infer<typeof MetricSeriesParams>

/** One metric value with its 95% interval and the samples behind it. */
export const MetricFigure = z.object({
  n: z.number(),
  /** null = insufficient data (n below the metric's minimum), never zero. */
  value: z.number().nullable(),
  lo: z.number().nullable(),
  hi: z.number().nullable(),
  insufficient: z.boolean(),
})
export type MetricFigure = z.infer<typeof MetricFigure>

export const MetricPoint = MetricFigure.extend({
  /** Bucket start, epoch ms. */
  t: z.number(),
  /** Corrected with human labels, or the scorer's raw rate; and the labels behind the correction. */
  estimate: z.enum(['corrected', 'corrected-judge', 'raw']).optional(),
  labels: z.number().optional(),
})
export type MetricPoint = z.infer<typeof MetricPoint>

export const MetricSeriesResponse = z.object({
  metric: MetricDefinition,
  from: z.number(),
  to: z.number(),
  step: z.number(),
  series: z.array(z.object({ labels: z.record(z.string(), z.string()), points: z.array(MetricPoint) })),
})
export type MetricSeriesResponse = z.infer<typeof MetricSeriesResponse>

/** `POST /api/feedback` body (Bearer project key). At least one signal besides eventId. */
export const FeedbackInput = z
  .object({
    eventId: z.guid('eventId must be a UUID'),
    thumbs: z.enum(['up', 'down']).optional(),
    taskCompleted: z.boolean().optional(),
    editedText: z.string().max(100_000).optional(),
    refusalWrong: z.boolean().optional(),
    comment: z.string().max(4_000).optional(),
  })
  .strict()
  .refine(
    (f) =>
      f.thumbs !== undefined ||
      f.taskCompleted !== undefined ||
      f.editedText !== undefined ||
      f.refusalWrong !== undefined ||
      f.comment !== undefined,
    'send at least one of thumbs, taskCompleted, editedText, refusalWrong, comment',
  )
export type FeedbackInput = z.infer<typeof FeedbackInput>

export const FeedbackAccepted = z.object({
  id: z.string(),
  eventId: z.string(),
  /** Normalized edit distance (0..1) when editedText was sent. */
  editDistance: z.number().nullable(),
})
export type FeedbackAccepted = z.infer<typeof FeedbackAccepted>

export const ReportFormat = z.enum(['json', 'md', 'html'])
export type ReportFormat = z.infer<typeof ReportFormat>

/** ISO week, e.g. 2026-W48. */
export const IsoWeek = z.string().regex(/^\d{4}-W\d{2}$/, 'week must look like 2026-W48')

export const WeeklyReportQuery = z.object({
  project: z.string().optional(),
  week: IsoWeek.optional(),
  /** A pinned baseline week to compare against as well. */
  baseline: IsoWeek.optional(),
  format: ReportFormat.default('json'),
})
export type WeeklyReportQuery = z.infer<typeof WeeklyReportQuery>
