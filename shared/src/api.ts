import { z } from 'zod'

/** Every non-gateway HTTP error body. */
export const ApiErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
})
export type ApiErrorBody = z.infer<typeof ApiErrorBody>

export const Usage = z.object({
  promptTokens: z.number(),
  completionTokens: z.number(),
  cachedTokens: z.number(),
})
export type Usage = z.infer<typeof Usage>

export const ExchangeItem = z.object({
  id: z.string(),
  /** ISO-8601 UTC. */
  time: z.string(),
  projectId: z.string(),
  model: z.string(),
  endpoint: z.string(),
  stream: z.boolean(),
  status: z.number(),
  outcome: z.string(),
  latencyMs: z.number(),
  ttftMs: z.number().nullable(),
  usage: Usage.nullable(),
  prompt: z.string(),
  responseText: z.string(),
  finishReason: z.string(),
  /** Tool calls the model made, as recorded (arguments are the raw text the model produced). */
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
  /** Latest value of each score name for this exchange. */
  scores: z.record(z.string(), z.number()),
  /** Label of each score that has one (e.g. refusal: "full" | "partial" | "none"). */
  labels: z.record(z.string(), z.string()),
})
export type ExchangeItem = z.infer<typeof ExchangeItem>

/** Path and query of `GET /api/exchanges/:id`: the id is the gateway's event id (a UUID). */
export const ExchangeIdParam = z.object({ id: z.uuid('id must be an exchange event id (a UUID)') })
export const ExchangeDetailQuery = z.object({ project: z.string().optional() })

/** One feedback post about an exchange (`POST /api/feedback`), as the exchange shows it. */
export const ExchangeFeedback = z.object({
  id: z.string(),
  receivedAt: z.string(),
  thumbs: z.enum(['up', 'down']).nullable(),
  /** null = not given. */
  taskCompleted: z.boolean().nullable(),
  refusalWrong: z.boolean(),
  editDistance: z.number().nullable(),
  editedText: z.string(),
  comment: z.string(),
})
export type ExchangeFeedback = z.infer<typeof ExchangeFeedback>

/** One exchange with everything it carries: `GET /api/exchanges/:id`. */
export const ExchangeDetail = ExchangeItem.extend({
  route: z.string(),
  upstream: z.string(),
  costUsd: z.number(),
  /** Where the token counts came from: upstream, local, none ('' for rows older than the column). */
  usageSource: z.string(),
  tags: z.object({
    user: z.string(),
    session: z.string(),
    feature: z.string(),
    policyVersion: z.string(),
    extra: z.record(z.string(), z.string()),
  }),
  /** The request's conversation as sent; content is a string or the provider's structured parts. */
  messages: z.array(z.object({ role: z.string(), content: z.union([z.string(), z.unknown()]) })),
  /** Declared tools of the request, as sent. */
  tools: z.array(z.unknown()),
  sources: z.array(z.object({ id: z.string(), text: z.string(), url: z.string().optional() })),
  errorMessage: z.string(),
  /** How it reached Leash (gateway, otlp, batch) and its OpenTelemetry ids ('' when none). */
  origin: z.string().optional(),
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  parentSpanId: z.string().optional(),
  /** Latest value of every (scorer, version, name) for this exchange. */
  scorers: z.array(
    z.object({
      scorer: z.string(),
      version: z.string(),
      name: z.string(),
      value: z.number(),
      label: z.string(),
    }),
  ),
  /** Feedback posted about this exchange, oldest first. */
  feedback: z.array(ExchangeFeedback).default([]),
})
export type ExchangeDetail = z.infer<typeof ExchangeDetail>

export const ExchangesPage = z.object({ total: z.number(), items: z.array(ExchangeItem) })
export type ExchangesPage = z.infer<typeof ExchangesPage>

export const ExchangesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  project: z.string().optional(),
})
export type ExchangesQuery = z.infer<typeof ExchangesQuery>

/** Metrics the overview chart can ask for; each is defined once, server-side, in the time-series query. */
export const OverviewMetric = z.enum(['requests', 'errors', 'refusal_rate', 'latency_p50', 'latency_p95'])
export type OverviewMetric = z.infer<typeof OverviewMetric>

export const TimeSeriesQuery = z.object({
  project: z.string().optional(),
  /** ISO-8601 or epoch ms. Default: the last hour. */
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Bucket size in seconds. Default chosen from the range (about 60 buckets). */
  step: z.coerce.number().int().min(10).max(86_400).optional(),
})
export type TimeSeriesQuery = z.infer<typeof TimeSeriesQuery>

export const TimeSeriesPoint = z.object({
  /** Bucket start, ISO-8601 UTC. */
  t: z.string(),
  requests: z.number(),
  errors: z.number(),
  /** null = no scored responses in the bucket (never read as zero). */
  refusal_rate: z.number().nullable(),
  latency_p50: z.number().nullable(),
  latency_p95: z.number().nullable(),
})
export type TimeSeriesPoint = z.infer<typeof TimeSeriesPoint>

export const TimeSeries = z.object({
  from: z.string(),
  to: z.string(),
  step: z.number(),
  points: z.array(TimeSeriesPoint),
})
export type TimeSeries = z.infer<typeof TimeSeries>

export const Project = z.object({ id: z.string(), slug: z.string(), name: z.string(), createdAt: z.string() })
export type Project = z.infer<typeof Project>

export const LoginInput = z.object({ email: z.string().email(), password: z.string().min(1) })
export type LoginInput = z.infer<typeof LoginInput>

export const Me = z.object({ id: z.string(), email: z.string(), role: z.enum(['admin', 'member']) })
export type Me = z.infer<typeof Me>
