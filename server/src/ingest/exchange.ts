/**
 * One completed call through the gateway, as handed to ingest. The gateway builds it after the
 * response has been sent; nothing here is computed on the hot path beyond what the proxy already saw.
 */
export type ExchangeOutcome = 'ok' | 'upstream_error' | 'stream_error' | 'client_aborted' | 'gateway_error'

export type Endpoint = 'chat.completions' | 'completions' | 'embeddings'

export interface ExchangeUsage {
  promptTokens: number
  completionTokens: number
  cachedTokens: number
}

export interface ExchangeTags {
  user: string
  session: string
  feature: string
  policyVersion: string
  /** Free-form k=v tags from `x-leash-tags`. */
  extra: Record<string, string>
}

export interface ToolCall {
  id: string
  name: string
  /** Raw argument text as the model produced it (may be invalid JSON; scorers judge that). */
  arguments: string
}

export interface Source {
  id: string
  text: string
  url?: string
}

export interface ExchangeRecord {
  eventId: string
  projectId: string
  /** Request start, epoch milliseconds. */
  time: number
  endpoint: Endpoint
  route: string
  upstream: string
  model: string
  stream: boolean
  /** HTTP status the caller received. */
  status: number
  outcome: ExchangeOutcome
  latencyMs: number
  /** Time to first byte of the response body; null when nothing was received. */
  ttftMs: number | null
  usage: ExchangeUsage | null
  /** Whether `usage` came from the upstream (true) or was counted locally by Leash (false). */
  usageFromUpstream: boolean
  /** Estimated cost in USD from the price table (0 when the model has no price). */
  costUsd: number
  /** The request's `messages` (chat) or `prompt` (completions), as JSON text. */
  requestJson: string
  /** The last user turn, kept apart so scorers need not parse `requestJson`. */
  prompt: string
  responseText: string
  /** The request's declared `tools` array as JSON text ('' when none), for tool-call verification. */
  toolsJson: string
  toolCalls: ToolCall[]
  finishReason: string
  tags: ExchangeTags
  sources: Source[]
  errorMessage: string
  /** Days the rows are kept (the project's `retentionDays`); stamped by the pipeline when absent. */
  retentionDays?: number
}

/** What the gateway calls once per finished exchange; must never throw or block. */
export interface ExchangeSink {
  record(exchange: ExchangeRecord): void
}
