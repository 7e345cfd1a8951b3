import { createHash } from 'node:crypto'
import type { ProjectSettings } from '@leash/shared'
import { uuidV7Millis } from '../core/uuid.ts'
import {
  deeperThan,
  type Endpoint,
  type ExchangeRecord,
  type ExchangeTags,
  type ExchangeUsage,
  MAX_REQUEST_DEPTH,
  type Source,
  type ToolCall,
} from '../exchange/record.ts'
import { sanitizeDeep } from '../ingest/sanitize.ts'
import { costUsd, priceFor } from '../pricing/index.ts'
import { redactorFor } from './exchange-state.ts'
import { contentText } from './parse-request.ts'
import { redactDeep, redactJsonText } from './redact.ts'

/**
 * Exchanges that did not go through the proxy (OTLP spans, the batch ingest API) become the same
 * record the gateway writes: priced from the project's table, redacted by its settings, well-formed.
 */
export interface ExternalExchange {
  eventId: string
  projectId: string
  origin: 'otlp' | 'batch'
  time: number
  endpoint: Endpoint
  model: string
  /** Chat-shaped messages (role, content, tool_calls), or null for a bare prompt. */
  messages: Array<Record<string, unknown>> | null
  prompt: string
  responseText: string
  toolCalls: ToolCall[]
  tools: unknown[]
  usage: ExchangeUsage | null
  latencyMs: number
  ttftMs: number | null
  tags: ExchangeTags
  sources: Source[]
  finishReason: string
  status: number
  errorMessage: string
  traceId?: string
  spanId?: string
  parentSpanId?: string
}

export const EMPTY_TAGS: ExchangeTags = { user: '', session: '', feature: '', policyVersion: '', extra: {} }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A caller's id as the event id: itself when a UUID, else a stable UUID (version 8) of project and id. */
export function eventIdFor(projectId: string, id: string): string {
  if (UUID.test(id)) return id.toLowerCase()
  const h = createHash('sha256').update(`${projectId}\0${id}`).digest('hex')
  const variant = ((Number.parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/**
 * A UUIDv7-shaped id at `time` whose other bits are a hash of project and key: the same span sent twice
 * gets the same id (and dedups), and its detail is found by the time range its id carries.
 */
export function eventIdAt(time: number, projectId: string, key: string): string {
  const t = Math.max(0, Math.floor(time)).toString(16).padStart(12, '0').slice(-12)
  const h = createHash('sha256').update(`${projectId}\0${key}`).digest('hex')
  const variant = ((Number.parseInt(h.charAt(3), 16) & 0x3) | 0x8).toString(16)
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${h.slice(0, 3)}-${variant}${h.slice(4, 7)}-${h.slice(7, 19)}`
}

/** The time a UUIDv7 id carries, so a re-sent row without `time` keeps its sort key (and dedups). */
export const timeOfId = (id: string): number | null => (UUID.test(id) ? uuidV7Millis(id.toLowerCase()) : null)

/** The last user turn of chat-shaped messages. */
export function lastUserText(messages: Array<Record<string, unknown>>): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m?.role === 'user') return contentText(m.content)
  }
  return ''
}

export function externalRecord(x: ExternalExchange, settings: ProjectSettings): ExchangeRecord {
  const request = x.messages ?? (x.prompt ? x.prompt : null)
  if (deeperThan(request, MAX_REQUEST_DEPTH) || deeperThan(x.tools, MAX_REQUEST_DEPTH))
    throw new Error(`request nested deeper than ${MAX_REQUEST_DEPTH} levels`)
  const price = x.model ? priceFor(x.model, settings.prices) : null
  const redact = redactorFor(settings)
  const r = redact ?? ((s: string) => s)
  const record: ExchangeRecord = {
    eventId: x.eventId,
    projectId: x.projectId,
    time: x.time,
    endpoint: x.endpoint,
    route: x.origin,
    upstream: '',
    model: x.model,
    stream: false,
    status: x.status,
    outcome: x.status >= 400 || x.errorMessage ? 'upstream_error' : 'ok',
    latencyMs: x.latencyMs,
    ttftMs: x.ttftMs,
    usage: x.usage,
    usageFromUpstream: x.usage !== null,
    costUsd: costUsd(x.usage, price),
    request: redact ? redactDeep(request, redact) : request,
    prompt: r(x.prompt),
    responseText: r(x.responseText),
    tools: x.tools,
    toolCalls: redact
      ? x.toolCalls.map((c) => ({ ...c, arguments: redactJsonText(c.arguments, redact) }))
      : x.toolCalls,
    finishReason: x.finishReason,
    tags: x.tags,
    sources: redact ? x.sources.map((s) => ({ ...s, text: redact(s.text) })) : x.sources,
    errorMessage: r(x.errorMessage).slice(0, 2000),
    origin: x.origin,
    ...(x.traceId ? { traceId: x.traceId } : {}),
    ...(x.spanId ? { spanId: x.spanId } : {}),
    ...(x.parentSpanId ? { parentSpanId: x.parentSpanId } : {}),
  }
  return sanitizeDeep(record)
}
