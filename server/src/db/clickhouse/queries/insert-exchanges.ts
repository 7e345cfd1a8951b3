import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import type { ExchangeRecord } from '../../../ingest/exchange.ts'

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
  finish_reason: z.string(),
  sources: z.string(),
  error_message: z.string(),
})
export type RawResponseInsertRow = z.infer<typeof RawResponseInsertRow>

export function toRawResponseRow(r: ExchangeRecord): RawResponseInsertRow {
  return RawResponseInsertRow.parse({
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
    cost_usd: r.costUsd,
    user_id: r.tags.user,
    session_id: r.tags.session,
    feature: r.tags.feature,
    policy_version: r.tags.policyVersion,
    tags: r.tags.extra,
    request_json: r.requestJson,
    prompt: r.prompt,
    response_text: r.responseText,
    tool_calls: JSON.stringify(r.toolCalls),
    finish_reason: r.finishReason,
    sources: JSON.stringify(r.sources),
    error_message: r.errorMessage,
  })
}

/** Inserts exchanges; re-inserting an event id is safe (ReplacingMergeTree + FINAL readers). */
export const insertExchanges =
  (ch: ClickHouseClient) =>
  async (records: ExchangeRecord[]): Promise<void> => {
    if (records.length === 0) return
    await ch.insert({
      table: 'raw_responses_v1',
      values: records.map(toRawResponseRow),
      format: 'JSONEachRow',
    })
  }
