import type { ProjectSettings } from '@leash/shared'
import {
  deeperThan,
  type Endpoint,
  type ExchangeOutcome,
  type ExchangeRecord,
  type ExchangeTags,
  type ExchangeUsage,
  MAX_REQUEST_DEPTH,
  type Source,
} from '../exchange/record.ts'
import { sanitizeDeep } from '../ingest/sanitize.ts'
import { costUsd, priceFor } from '../pricing/index.ts'
import { parseMessagesJson, parseMessagesSse } from './anthropic.ts'
import {
  estimatePromptTokens,
  type ParsedRequest,
  type RequestFields,
  requestFields,
} from './parse-request.ts'
import { type ParsedResponse, parseJsonResponse, parseSseResponse } from './parse-response.ts'
import { createRedactor, type Redactor, redactDeep, redactJsonText } from './redact.ts'
import { parseResponsesJson, parseResponsesSse } from './responses.ts'
import { estimateTokens } from './tokens.ts'

/** Response bytes kept for the record; past this the copy stops (the caller still gets everything). */
export const CAPTURE_LIMIT_BYTES = 8 * 1024 * 1024

/** What the gateway learns about one call while proxying it, turned into a record once it has ended. */
export interface ExchangeState {
  eventId: string
  projectId: string
  settings: ProjectSettings
  time: number
  t0: number
  endpoint: Endpoint
  request: ParsedRequest | null
  tags: ExchangeTags
  sources: Source[]
  route: string
  upstream: string
  status: number
  outcome: ExchangeOutcome
  ttftMs: number | null
  endedAt: number | null
  errorMessage: string
  sse: boolean
  /** Upstream bytes as received (before any usage stripping), for the record. */
  chunks: Buffer[]
  capturedBytes: number
  /** Every response byte received, kept or not; more than `capturedBytes` means the copy was cut. */
  receivedBytes: number
}

export function capture(state: ExchangeState, chunk: Buffer): void {
  const kept = state.capturedBytes === state.receivedBytes
  state.receivedBytes += chunk.length
  // The copy stops at the first chunk past the limit, so what is kept is always a prefix.
  if (!kept || state.capturedBytes + chunk.length > CAPTURE_LIMIT_BYTES) return
  state.chunks.push(chunk)
  state.capturedBytes += chunk.length
}

function estimateUsage(
  state: ExchangeState,
  res: ParsedResponse,
  req: ParsedRequest,
  fields: RequestFields,
): ExchangeUsage | null {
  if (state.status < 200 || state.status >= 300) return null
  let completion = estimateTokens(res.responseText)
  for (const c of res.toolCalls) completion += 3 + estimateTokens(c.name) + estimateTokens(c.arguments)
  return {
    promptTokens: estimatePromptTokens(state.endpoint, req.body, fields),
    completionTokens: state.endpoint === 'embeddings' ? 0 : completion,
    cachedTokens: 0,
  }
}

const same = (s: string) => s
const redactors = new WeakMap<object, Redactor>()

export function redactorFor(settings: ProjectSettings): Redactor | null {
  const r = settings.redaction
  if (!r.enabled || r.kinds.length === 0) return null
  let fn = redactors.get(r)
  if (!fn) {
    fn = createRedactor(r.kinds)
    redactors.set(r, fn)
  }
  return fn
}

/**
 * The record, whatever the call contained: when building it fails (a body nested too deep for the
 * parsers, say), the request is kept as text and the record says why. Text is made well-formed.
 */
export function toRecordSafely(state: ExchangeState): { record: ExchangeRecord; simplified: string | null } {
  try {
    return { record: sanitizeDeep(toRecord(state)), simplified: null }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    const r = redactorFor(state.settings) ?? same
    const req = state.request
    const record: ExchangeRecord = {
      eventId: state.eventId,
      projectId: state.projectId,
      time: state.time,
      endpoint: state.endpoint,
      route: state.route,
      upstream: state.upstream,
      model: req?.model ?? '',
      stream: req?.stream ?? false,
      status: state.status,
      outcome: state.outcome,
      latencyMs: (state.endedAt ?? performance.now()) - state.t0,
      ttftMs: state.ttftMs,
      usage: null,
      usageFromUpstream: false,
      costUsd: 0,
      request: req ? r(req.raw.toString('utf8')) : null,
      prompt: '',
      responseText: '',
      tools: [],
      toolCalls: [],
      finishReason: '',
      tags: state.tags,
      sources: [],
      errorMessage: r(`recorded without parsing (${why}); the request body is kept as text`).slice(0, 2000),
    }
    return { record: sanitizeDeep(record), simplified: why }
  }
}

function parseAnswer(endpoint: ExchangeState['endpoint'], sse: boolean, bytes: Buffer): ParsedResponse {
  if (endpoint === 'responses') return sse ? parseResponsesSse(bytes) : parseResponsesJson(bytes)
  if (endpoint === 'messages') return sse ? parseMessagesSse(bytes) : parseMessagesJson(bytes)
  return sse ? parseSseResponse(endpoint, bytes) : parseJsonResponse(endpoint, bytes)
}

/** Builds the stored record: parses the copy, fills usage (or estimates it), prices it and redacts it. */
export function toRecord(state: ExchangeState): ExchangeRecord {
  const req = state.request
  const chunks = state.chunks
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, state.capturedBytes)
  const res = parseAnswer(state.endpoint, state.sse, bytes)
  let { outcome, errorMessage } = state
  const truncated = state.receivedBytes > state.capturedBytes
  if (truncated && !errorMessage)
    errorMessage = `response capture truncated: kept ${state.capturedBytes} of ${state.receivedBytes} bytes`
  else if (outcome === 'ok' && bytes.length > 0 && !res.parsed) {
    outcome = 'upstream_error'
    errorMessage = state.sse
      ? 'upstream event stream had no parsable event'
      : 'upstream response could not be parsed'
  }
  if (!errorMessage && res.errorMessage) errorMessage = res.errorMessage

  const fields = req ? requestFields(state.endpoint, req.body) : null
  // Kept as parsed values only within a sane depth, so no later step (spool, scorers) can overflow.
  if (
    fields &&
    (deeperThan(fields.requestValue, MAX_REQUEST_DEPTH) || deeperThan(fields.tools, MAX_REQUEST_DEPTH))
  )
    throw new Error(`request nested deeper than ${MAX_REQUEST_DEPTH} levels`)
  const usage = res.usage ?? (req && fields ? estimateUsage(state, res, req, fields) : null)
  const model = res.model ?? req?.model ?? ''
  const price = model ? priceFor(model, state.settings.prices) : null

  const redact = redactorFor(state.settings)
  const r = redact ?? same
  return {
    eventId: state.eventId,
    projectId: state.projectId,
    time: state.time,
    endpoint: state.endpoint,
    route: state.route,
    upstream: state.upstream,
    model,
    stream: req?.stream ?? false,
    status: state.status,
    outcome,
    latencyMs: (state.endedAt ?? performance.now()) - state.t0,
    ttftMs: state.ttftMs,
    usage,
    usageFromUpstream: res.usage !== null,
    costUsd: costUsd(usage, price),
    request: fields ? (redact ? redactDeep(fields.requestValue, redact) : fields.requestValue) : null,
    prompt: r(fields?.prompt ?? ''),
    responseText: r(res.responseText),
    tools: fields?.tools ?? [],
    toolCalls: redact
      ? res.toolCalls.map((c) => ({ ...c, arguments: redactJsonText(c.arguments, redact) }))
      : res.toolCalls,
    finishReason: res.finishReason,
    tags: state.tags,
    sources: redact ? state.sources.map((s) => ({ ...s, text: redact(s.text) })) : state.sources,
    errorMessage: r(errorMessage).slice(0, 2000),
  }
}
