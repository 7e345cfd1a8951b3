import { z } from 'zod'
import type { ExchangeRecord } from '../../../exchange/record.ts'
import { defineInsert } from '../query.ts'

/** A `raw_responses_v1` row as inserted (JSONEachRow; `time` in epoch ms fits DateTime64(3)). */
export const RawResponseInsertRow = z.object({
  project_id: z.string().min(1),
  event_id: z.guid(),
  time: z.number().int().nonnegative(),
  endpoint: z.string(),
  route: z.string(),
  upstream: z.string(),
  model: z.string(),
  stream: z.boolean(),
  status: z.number().int().min(0).max(65_535),
  outcome: z.string(),
  latency_ms: z.number(),
  ttft_ms: z.number().nullable(),
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  cached_tokens: z.number().int().nonnegative(),
  has_usage: z.boolean(),
  usage_source: z.enum(['upstream', 'local', 'none']),
  cost_usd: z.number().nonnegative(),
  user_id: z.string(),
  session_id: z.string(),
  feature: z.string(),
  policy_version: z.string(),
  tags: z.record(z.string(), z.string()),
  request_json: z.string(),
  prompt: z.string(),
  response_text: z.string(),
  tool_calls: z.string(),
  tools: z.string(),
  finish_reason: z.string(),
  sources: z.string(),
  error_message: z.string(),
  retention_days: z.number().int().min(1).max(3650),
  origin: z.string(),
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.string(),
})
export type RawResponseInsertRow = z.infer<typeof RawResponseInsertRow>

/** Column order of the JSONCompactEachRow inserts. */
export const RAW_RESPONSE_COLUMNS = Object.keys(RawResponseInsertRow.shape) as Array<
  keyof RawResponseInsertRow
>

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const isInt = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
const isStr = (v: unknown) => typeof v === 'string'
const UINT32 = 4_294_967_295

/**
 * The same rules as `RawResponseInsertRow`, hand-written because ingest validates every row (zod is
 * the slowest step of an insert). Anything it rejects goes through zod, which throws the ZodError.
 */
function quickValid(r: RawResponseInsertRow): boolean {
  if (!(isStr(r.project_id) && r.project_id.length > 0 && isStr(r.event_id) && GUID.test(r.event_id)))
    return false
  if (
    !(
      isInt(r.time, 0, Number.MAX_SAFE_INTEGER) &&
      isInt(r.status, 0, 65_535) &&
      isInt(r.retention_days, 1, 3650)
    )
  )
    return false
  if (
    !(
      isInt(r.prompt_tokens, 0, UINT32) &&
      isInt(r.completion_tokens, 0, UINT32) &&
      isInt(r.cached_tokens, 0, UINT32)
    )
  )
    return false
  if (
    !(isNum(r.latency_ms) && (r.ttft_ms === null || isNum(r.ttft_ms)) && isNum(r.cost_usd) && r.cost_usd >= 0)
  )
    return false
  if (typeof r.stream !== 'boolean' || typeof r.has_usage !== 'boolean') return false
  if (r.usage_source !== 'upstream' && r.usage_source !== 'local' && r.usage_source !== 'none') return false
  const strings = [
    r.endpoint,
    r.route,
    r.upstream,
    r.model,
    r.outcome,
    r.user_id,
    r.session_id,
    r.feature,
    r.policy_version,
    r.request_json,
    r.prompt,
    r.response_text,
    r.tool_calls,
    r.tools,
    r.finish_reason,
    r.sources,
    r.error_message,
    r.origin,
    r.trace_id,
    r.span_id,
    r.parent_span_id,
  ]
  for (const v of strings) if (typeof v !== 'string') return false
  const tags = r.tags as unknown
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return false
  for (const v of Object.values(tags)) if (typeof v !== 'string') return false
  return true
}

export function toRawResponseRow(r: ExchangeRecord): RawResponseInsertRow {
  const row = {
    project_id: r.projectId,
    event_id: r.eventId,
    time: r.time,
    endpoint: r.endpoint,
    route: r.route,
    upstream: r.upstream,
    model: r.model,
    stream: r.stream,
    status: r.status,
    outcome: r.outcome,
    latency_ms: r.latencyMs,
    ttft_ms: r.ttftMs,
    prompt_tokens: r.usage?.promptTokens ?? 0,
    completion_tokens: r.usage?.completionTokens ?? 0,
    cached_tokens: r.usage?.cachedTokens ?? 0,
    has_usage: r.usage !== null,
    usage_source: r.usage === null ? 'none' : r.usageFromUpstream ? 'upstream' : 'local',
    cost_usd: r.costUsd,
    user_id: r.tags.user,
    session_id: r.tags.session,
    feature: r.tags.feature,
    policy_version: r.tags.policyVersion,
    tags: r.tags.extra,
    request_json: r.request === null || r.request === undefined ? '' : JSON.stringify(r.request),
    prompt: r.prompt,
    response_text: r.responseText,
    tool_calls: JSON.stringify(r.toolCalls),
    tools: r.tools.length > 0 ? JSON.stringify(r.tools) : '',
    finish_reason: r.finishReason,
    sources: JSON.stringify(r.sources),
    error_message: r.errorMessage,
    retention_days: r.retentionDays ?? DEFAULT_RETENTION_DAYS,
    origin: r.origin ?? 'gateway',
    trace_id: r.traceId ?? '',
    span_id: r.spanId ?? '',
    parent_span_id: r.parentSpanId ?? '',
  } as RawResponseInsertRow
  return quickValid(row) ? row : RawResponseInsertRow.parse(row)
}

/** Days a row is kept when its project's retention is unknown (ProjectSettings default). */
export const DEFAULT_RETENTION_DAYS = 90

function toCompactRow(r: ExchangeRecord): unknown[] {
  const row = toRawResponseRow(r)
  return RAW_RESPONSE_COLUMNS.map((c) => row[c])
}

/**
 * Inserts exchanges as JSONCompactEachRow (ClickHouse parses it about twice as fast as objects). A re-sent
 * event id is safe (ReplacingMergeTree + FINAL readers); a batch repeated with its `dedupToken` is dropped.
 */
export const insertExchanges = defineInsert({
  name: 'insert_exchanges',
  table: 'raw_responses_v1',
  columns: RAW_RESPONSE_COLUMNS,
  format: 'JSONCompactEachRow',
  row: toCompactRow,
})
