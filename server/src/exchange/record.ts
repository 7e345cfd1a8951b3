import { z } from 'zod'

/**
 * One completed call through the gateway, as handed to ingest. The gateway builds it after the
 * response has been sent; nothing here is computed on the hot path beyond what the proxy already saw.
 */
export const ExchangeOutcome = z.enum([
  'ok',
  'upstream_error',
  'stream_error',
  'client_aborted',
  'gateway_error',
])
export type ExchangeOutcome = z.infer<typeof ExchangeOutcome>

/** `responses` is OpenAI's Responses API, `messages` Anthropic's Messages API (both chat-like). */
export const Endpoint = z.enum(['chat.completions', 'completions', 'embeddings', 'responses', 'messages'])
export type Endpoint = z.infer<typeof Endpoint>

export const ExchangeUsage = z.object({
  promptTokens: z.number(),
  completionTokens: z.number(),
  cachedTokens: z.number(),
})
export type ExchangeUsage = z.infer<typeof ExchangeUsage>

export const ExchangeTags = z.object({
  user: z.string(),
  session: z.string(),
  feature: z.string(),
  policyVersion: z.string(),
  /** Free-form k=v tags from `x-leash-tags`. */
  extra: z.record(z.string(), z.string()),
})
export type ExchangeTags = z.infer<typeof ExchangeTags>

export const ToolCall = z.object({
  id: z.string(),
  name: z.string(),
  /** Raw argument text as the model produced it (may be invalid JSON; scorers judge that). */
  arguments: z.string(),
})
export type ToolCall = z.infer<typeof ToolCall>

/** A retrieved source an answer should cite; the limits are the gateway's input limits. */
export const Source = z.object({
  id: z.string().min(1).max(512),
  text: z.string().max(200_000),
  url: z.string().max(4096).optional(),
})
export type Source = z.infer<typeof Source>

export const ExchangeRecord = z.object({
  eventId: z.string(),
  projectId: z.string(),
  /** Request start, epoch milliseconds. */
  time: z.number(),
  endpoint: Endpoint,
  route: z.string(),
  upstream: z.string(),
  model: z.string(),
  stream: z.boolean(),
  /** HTTP status the caller received. */
  status: z.number(),
  outcome: ExchangeOutcome,
  latencyMs: z.number(),
  /** Time to first byte of the response body; null when nothing was received. */
  ttftMs: z.number().nullable(),
  usage: ExchangeUsage.nullable(),
  /** Whether `usage` came from the upstream (true) or was counted locally by Leash (false). */
  usageFromUpstream: z.boolean(),
  /** Estimated cost in USD from the price table (0 when the model has no price). */
  costUsd: z.number(),
  /**
   * The request's `messages` (chat) or `prompt` (completions) as parsed values, redacted; the raw body
   * as a string when it could not be parsed; null when there was no request body. JSON text is made
   * once, at the storage boundary.
   */
  request: z.unknown(),
  /** The last user turn, kept apart so scorers need not walk `request`. */
  prompt: z.string(),
  responseText: z.string(),
  /** The request's declared `tools` array as sent (empty when none), for tool-call verification. */
  tools: z.array(z.unknown()),
  toolCalls: z.array(ToolCall),
  finishReason: z.string(),
  tags: ExchangeTags,
  sources: z.array(Source),
  errorMessage: z.string(),
  /** Days the rows are kept (the project's `retentionDays`); stamped by the pipeline when absent. */
  retentionDays: z.number().int().optional(),
  /** How the exchange reached Leash; absent means through the gateway. */
  origin: z.enum(['gateway', 'otlp', 'batch']).optional(),
  /** OpenTelemetry ids (lowercase hex) when the exchange came from a span, so a run can be shown as a trace. */
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  parentSpanId: z.string().optional(),
})
export type ExchangeRecord = z.infer<typeof ExchangeRecord>

/** Nesting the record keeps as parsed values; deeper requests are kept as text (see `deeperThan`). */
export const MAX_REQUEST_DEPTH = 128

/** True when `value` nests objects or arrays more than `limit` levels (iterative: never overflows). */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number]
    if (typeof v !== 'object' || v === null) continue
    if (d >= limit) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1])
    }
  }
  return false
}

/**
 * Records spooled before the record carried parsed values had `requestJson` and `toolsJson` text;
 * replayed after an upgrade, they are read into today's shape (in place).
 */
export function upgradeSpooledRecord(r: ExchangeRecord): ExchangeRecord {
  const legacy = r as unknown as Record<string, unknown>
  if (!Object.hasOwn(legacy, 'request')) {
    legacy.request = typeof legacy.requestJson === 'string' ? parseOr(legacy.requestJson, null) : null
    delete legacy.requestJson
  }
  if (!Array.isArray(legacy.tools)) {
    const tools = typeof legacy.toolsJson === 'string' ? parseOr(legacy.toolsJson, []) : []
    legacy.tools = Array.isArray(tools) ? tools : []
    delete legacy.toolsJson
  }
  return r
}

function parseOr(text: string, fallback: unknown): unknown {
  if (!text) return fallback
  try {
    return JSON.parse(text)
  } catch {
    return fallback
  }
}

/** What the gateway calls once per finished exchange; must never throw or block. */
export interface ExchangeSink {
  record(exchange: ExchangeRecord): void
}
