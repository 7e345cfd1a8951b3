import { z } from 'zod'

/**
 * Labels: ground truth about one exchange, the input of corrected rates and instrument health.
 * Each labelled value is compared with the scorer that measures the same thing.
 */
export const LabelValues = z
  .object({
    refusal: z.enum(['full', 'partial', 'none']).optional(),
    prompt_harmful: z.boolean().optional(),
    violation: z.boolean().optional(),
    citation_supported: z.boolean().optional(),
    unsupported_claim: z.boolean().optional(),
    helpfulness: z.number().int().min(1).max(5).optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'values: give at least one value')
export type LabelValues = z.infer<typeof LabelValues>
export const LABEL_NAMES = [
  'refusal',
  'prompt_harmful',
  'violation',
  'citation_supported',
  'unsupported_claim',
  'helpfulness',
] as const

/** `POST /api/labels`. `sample`: how the event was picked (uniform: at random; targeted: anything else). */
export const LabelInput = z
  .object({
    eventId: z.guid('eventId must be a UUID'),
    project: z.string().optional(),
    values: LabelValues,
    source: z.enum(['human', 'judge']).default('human'),
    sample: z.enum(['uniform', 'targeted']).default('uniform'),
    note: z.string().max(4_000).optional(),
  })
  .strict()
export type LabelInput = z.input<typeof LabelInput>

const Ms = z.coerce.number().int().nonnegative()
/** `GET /api/labels?eventId=` or `?from=&to=` (epoch ms; default the last 7 days). */
export const LabelsQuery = z.object({
  project: z.string().optional(),
  eventId: z.guid('eventId must be a UUID').optional(),
  from: Ms.optional(),
  to: Ms.optional(),
  source: z.enum(['human', 'judge', 'feedback']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
})

export const LabelAccepted = z.object({
  id: z.string(),
  eventId: z.string(),
  values: z.record(z.string(), z.unknown()),
})
export type LabelAccepted = z.infer<typeof LabelAccepted>

export const LabelItem = z.object({
  id: z.string(),
  eventId: z.string(),
  eventTime: z.number(),
  model: z.string(),
  values: z.record(z.string(), z.unknown()),
  source: z.enum(['human', 'judge', 'feedback']),
  sample: z.enum(['uniform', 'targeted']),
  labeller: z.string(),
  note: z.string().nullable(),
  createdAt: z.number(),
})
export type LabelItem = z.infer<typeof LabelItem>
export const LabelList = z.object({ items: z.array(LabelItem) })
export type LabelList = z.infer<typeof LabelList>

/** How a rate point was estimated: corrected with labels, or the scorer's raw rate. */
export const Estimate = z.enum(['corrected', 'raw'])
export type Estimate = z.infer<typeof Estimate>
/**
 * The estimate a figure actually is: corrected with uniform human labels, corrected with the LLM judge's
 * labels when a group has too few human ones (never mixed), or raw.
 */
export const EstimateUsed = z.enum(['corrected', 'corrected-judge', 'raw'])
export type EstimateUsed = z.infer<typeof EstimateUsed>

/** `GET /api/review-queue?metric=&n=` (n per model; default the last 24 h). */
export const ReviewQueueQuery = z.object({
  project: z.string().optional(),
  metric: z.string().min(1),
  n: z.coerce.number().int().min(1).max(200).default(20),
  from: Ms.optional(),
  to: Ms.optional(),
})
export const ReviewItem = z.object({
  eventId: z.string(),
  model: z.string(),
  time: z.number(),
  prompt: z.string(),
  response: z.string(),
  sources: z.array(z.object({ id: z.string(), text: z.string() }).loose()),
  /** The scorers' verdicts: score name -> value and label. */
  verdict: z.record(z.string(), z.object({ value: z.number(), label: z.string() })),
  /** uniform: drawn at random (label it with sample "uniform"); targeted: the scorer was least sure. */
  sample: z.enum(['uniform', 'targeted']),
})
export type ReviewItem = z.infer<typeof ReviewItem>
export const ReviewQueue = z.object({
  metric: z.string(),
  asks: z.array(z.string()),
  items: z.array(ReviewItem),
})
export type ReviewQueue = z.infer<typeof ReviewQueue>
