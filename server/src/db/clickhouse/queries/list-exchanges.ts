import type { ClickHouseClient } from '@clickhouse/client'
import type { ExchangeItem, ExchangesPage } from '@leash/shared'
import { z } from 'zod'
import { defineQuery } from '../query.ts'
import { ExchangeFilter, exchangeCountSql, exchangePageSql, NO_FILTER } from './exchange-filter-sql.ts'

export const ListExchangesParams = z.object({
  projectId: z.string().min(1),
  limit: z.number().int().min(1).max(1000),
  offset: z.number().int().min(0),
  filter: ExchangeFilter.default(NO_FILTER),
})
export type ListExchangesParams = z.input<typeof ListExchangesParams>

// 64-bit integers arrive as JSON strings, hence the coercions. The id alias must not be `event_id`:
// ClickHouse lets a SELECT alias shadow the column in WHERE/ORDER BY, turning UUID filters into strings.
export const ExchangeRowDb = z.object({
  id: z.string(),
  time_ms: z.coerce.number(),
  project_id: z.string(),
  model: z.string(),
  endpoint: z.string(),
  stream: z.boolean(),
  status: z.number(),
  outcome: z.string(),
  latency_ms: z.number(),
  ttft_ms: z.number().nullable(),
  has_usage: z.boolean(),
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  cached_tokens: z.number(),
  prompt: z.string(),
  response_text: z.string(),
  tool_calls: z.string(),
  finish_reason: z.string(),
})
type ExchangeRowDb = z.infer<typeof ExchangeRowDb>

const ScoreRowDb = z.object({ id: z.string(), name: z.string(), value: z.number(), label: z.string() })
type ScoreRowDb = z.infer<typeof ScoreRowDb>

const CountRowDb = z.object({ total: z.coerce.number() })

const PAGE_COLUMNS = `toString(event_id) AS id, toUnixTimestamp64Milli(time) AS time_ms, project_id, model, endpoint,
  stream, status, outcome, latency_ms, ttft_ms, has_usage, prompt_tokens, completion_tokens, cached_tokens,
  prompt, response_text, tool_calls, finish_reason`

// Latest value per (event, name) across scorers; the page's time range lets the sort key prune.
const SCORES_SQL = `
SELECT toString(event_id) AS id, name, argMax(value, scored_at) AS value, argMax(label, scored_at) AS label
FROM scores_v1 FINAL
WHERE project_id = {projectId:String}
  AND time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC')
  AND time <= fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
  AND event_id IN {eventIds:Array(UUID)}
GROUP BY event_id, name`

const ToolCallsJson = z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() }))

/** `tool_calls` is JSON written by insertExchanges; an unreadable value shows as no tool calls. */
function parseToolCalls(text: string): ExchangeItem['toolCalls'] {
  if (text === '' || text === '[]') return []
  try {
    const parsed = ToolCallsJson.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : []
  } catch {
    return []
  }
}

/** The list item of a row; on a score name shared by two scorers the last one wins. */
export function toExchangeItem(
  row: ExchangeRowDb,
  scores: ReadonlyArray<Pick<ScoreRowDb, 'name' | 'value' | 'label'>>,
): ExchangeItem {
  const item: ExchangeItem = {
    id: row.id,
    time: new Date(row.time_ms).toISOString(),
    projectId: row.project_id,
    model: row.model,
    endpoint: row.endpoint,
    stream: row.stream,
    status: row.status,
    outcome: row.outcome,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms,
    usage: row.has_usage
      ? {
          promptTokens: row.prompt_tokens,
          completionTokens: row.completion_tokens,
          cachedTokens: row.cached_tokens,
        }
      : null,
    prompt: row.prompt,
    responseText: row.response_text,
    finishReason: row.finish_reason,
    toolCalls: parseToolCalls(row.tool_calls),
    scores: {},
    labels: {},
  }
  for (const s of scores) {
    item.scores[s.name] = s.value
    if (s.label !== '') item.labels[s.name] = s.label
  }
  return item
}

const exchangesPage = defineQuery({
  name: 'exchanges_page',
  params: ListExchangesParams,
  row: ExchangeRowDb,
  sql: (p) => exchangePageSql(p.projectId, p.filter, PAGE_COLUMNS, p.limit, p.offset),
})

const exchangesTotal = defineQuery({
  name: 'exchanges_total',
  params: z.object({ projectId: z.string(), filter: ExchangeFilter }),
  row: CountRowDb,
  sql: (p) => exchangeCountSql(p.projectId, p.filter),
})

const pageScores = defineQuery({
  name: 'exchanges_page_scores',
  params: z.object({
    projectId: z.string(),
    fromMs: z.number(),
    toMs: z.number(),
    eventIds: z.array(z.string()),
  }),
  row: ScoreRowDb,
  sql: SCORES_SQL,
})

/**
 * A page of a project's exchanges matching every filter (newest first unless sorted otherwise), with their
 * latest scores; duplicates never show (FINAL). `total` counts every match, not just the page.
 */
export const listExchanges =
  (ch: ClickHouseClient) =>
  async (input: ListExchangesParams): Promise<ExchangesPage> => {
    const params = ListExchangesParams.parse(input)
    // Page first, count second: rows land between the two reads, so the count can only be newer. The
    // max() keeps `total` consistent with the page even then (never fewer than the rows returned).
    const rows = await exchangesPage(ch)(params)
    const counts = await exchangesTotal(ch)({ projectId: params.projectId, filter: params.filter })
    const counted = counts[0]?.total
    if (counted === undefined) throw new Error('raw_responses_v1 count returned no row')
    const total = Math.max(counted, params.offset + rows.length)
    if (rows.length === 0) return { total, items: [] }
    const times = rows.map((r) => r.time_ms)
    const scores = await pageScores(ch)({
      projectId: params.projectId,
      fromMs: Math.min(...times),
      toMs: Math.max(...times),
      eventIds: rows.map((r) => r.id),
    })
    const byEvent = new Map<string, ScoreRowDb[]>()
    for (const s of scores) byEvent.set(s.id, [...(byEvent.get(s.id) ?? []), s])
    return { total, items: rows.map((r) => toExchangeItem(r, byEvent.get(r.id) ?? [])) }
  }
