import type { Endpoint, ExchangeOutcome, ExchangeRecord, ExchangeTags, Source } from '../ingest/exchange.ts'
import type { ParsedRequest } from './parse-request.ts'
import { parseJsonResponse, parseSseResponse } from './parse-response.ts'

/** Response bytes kept for the record; past this the copy stops (the caller still gets everything). */
export const CAPTURE_LIMIT_BYTES = 8 * 1024 * 1024

/** What the gateway learns about one call while proxying it, turned into a record once it has ended. */
export interface ExchangeState {
  eventId: string
  projectId: string
  time: number
  t0: number
  endpoint: Endpoint
  request: ParsedRequest | null
  tags: ExchangeTags
  sources: Source[]
  status: number
  outcome: ExchangeOutcome
  ttftMs: number | null
  endedAt: number | null
  errorMessage: string
  sse: boolean
  chunks: Buffer[]
  capturedBytes: number
}

export function capture(state: ExchangeState, chunk: Buffer): void {
  if (state.capturedBytes + chunk.length > CAPTURE_LIMIT_BYTES) return
  state.chunks.push(chunk)
  state.capturedBytes += chunk.length
}

export function toRecord(state: ExchangeState, route: string, upstream: string): ExchangeRecord {
  const req = state.request
  const bytes = Buffer.concat(state.chunks, state.capturedBytes)
  const res = state.sse ? parseSseResponse(state.endpoint, bytes) : parseJsonResponse(state.endpoint, bytes)
  let { outcome, errorMessage } = state
  if (outcome === 'ok' && bytes.length > 0 && !res.parsed && state.capturedBytes < CAPTURE_LIMIT_BYTES) {
    outcome = 'upstream_error'
    errorMessage = 'upstream response could not be parsed'
  }
  if (!errorMessage && res.errorMessage) errorMessage = res.errorMessage
  return {
    eventId: state.eventId,
    projectId: state.projectId,
    time: state.time,
    endpoint: state.endpoint,
    route,
    upstream,
    model: res.model ?? req?.model ?? '',
    stream: req?.stream ?? false,
    status: state.status,
    outcome,
    latencyMs: (state.endedAt ?? performance.now()) - state.t0,
    ttftMs: state.ttftMs,
    usage: res.usage,
    usageFromUpstream: res.usage !== null,
    costUsd: 0,
    requestJson: req?.requestJson ?? '',
    prompt: req?.prompt ?? '',
    responseText: res.responseText,
    toolsJson: req?.toolsJson ?? '',
    toolCalls: res.toolCalls,
    finishReason: res.finishReason,
    tags: state.tags,
    sources: state.sources,
    errorMessage: errorMessage.slice(0, 2000),
  }
}
