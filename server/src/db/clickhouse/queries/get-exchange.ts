import type { ClickHouseClient } from '@clickhouse/client'
import type { ExchangeDetail } from '@leash/shared'
import { z } from 'zod'
import { uuidV7Millis } from '../../../core/uuid.ts'
import { defineQuery } from '../query.ts'
import { exchangeFeedback } from './exchange-feedback.ts'
import { ExchangeRowDb, toExchangeItem } from './list-exchanges.ts'

export const GetExchangeParams = z.object({
  projectId: z.string().min(1),
  eventId: z.uuid(),
})
export type GetExchangeParams = z.infer<typeof GetExchangeParams>

const DAY_MS = 86_400_000

// 64-bit integers arrive as JSON strings, hence the coercions. The id alias must not be `event_id`:
// ClickHouse lets a SELECT alias shadow the column in WHERE, turning the UUID filter into a string one.
const DetailRowDb = ExchangeRowDb.extend({
  route: z.string(),
  upstream: z.string(),
  usage_source: z.string(),
  cost_usd: z.number(),
  user_id: z.string(),
  session_id: z.string(),
  feature: z.string(),
  policy_version: z.string(),
  tags: z.record(z.string(), z.string()),
  request_json: z.string(),
  tools: z.string(),
  sources: z.string(),
  error_message: z.string(),
  origin: z.string(),
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.string(),
})
type DetailRowDb = z.infer<typeof DetailRowDb>

const ScorerRowDb = z.object({
  scorer: z.string(),
  scorer_version: z.string(),
  name: z.string(),
  value: z.number(),
  label: z.string(),
})
type ScorerRowDb = z.infer<typeof ScorerRowDb>

const ROW_COLUMNS = `toString(event_id) AS id, toUnixTimestamp64Milli(time) AS time_ms, project_id, endpoint, route,
  upstream, model, stream, status, outcome, latency_ms, ttft_ms, has_usage, toString(usage_source) AS usage_source,
  prompt_tokens, completion_tokens, cached_tokens, cost_usd, user_id, session_id, feature, policy_version, tags,
  request_json, prompt, response_text, tools, tool_calls, finish_reason, sources, error_message,
  toString(origin) AS origin, trace_id, span_id, parent_span_id`

const TIME_FILTER = `
  AND time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC')
  AND time <= fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`

const rowSql = (timed: boolean) => `
SELECT ${ROW_COLUMNS}
FROM raw_responses_v1 FINAL
WHERE project_id = {projectId:String} AND event_id = {eventId:UUID}${timed ? TIME_FILTER : ''}
LIMIT 1`

// Latest value per (scorer, version, name); scores carry their exchange's time, so a range around it prunes.
const SCORES_SQL = `
SELECT scorer, scorer_version, name, argMax(value, scored_at) AS value, argMax(label, scored_at) AS label
FROM scores_v1 FINAL
WHERE project_id = {projectId:String}
${TIME_FILTER.trim()}
  AND event_id = {eventId:UUID}
GROUP BY scorer, scorer_version, name
ORDER BY scorer, scorer_version, name`

const exchangeRow = defineQuery({
  name: 'exchange_detail',
  params: GetExchangeParams.extend({ fromMs: z.number().optional(), toMs: z.number().optional() }),
  row: DetailRowDb,
  sql: (p) => rowSql(p.fromMs !== undefined),
})

const exchangeScorers = defineQuery({
  name: 'exchange_detail_scores',
  params: GetExchangeParams.extend({ fromMs: z.number(), toMs: z.number() }),
  row: ScorerRowDb,
  sql: SCORES_SQL,
})

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

const SourcesJson = z.array(z.object({ id: z.string(), text: z.string(), url: z.string().optional() }))
const MessagesJson = z.array(z.object({ role: z.string(), content: z.unknown() }).loose())

/**
 * The conversation as sent: chat requests store their messages array (or the request object holding it),
 * completions store a prompt; an unreadable value falls back to the last user turn.
 */
function toMessages(requestJson: string, prompt: string): ExchangeDetail['messages'] {
  const parsed = parseJson(requestJson)
  const candidate =
    parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'messages' in parsed
      ? (parsed as { messages: unknown }).messages
      : parsed
  const messages = MessagesJson.safeParse(candidate)
  if (messages.success) return messages.data.map((m) => ({ role: m.role, content: m.content }))
  if (typeof candidate === 'string') return [{ role: 'user', content: candidate }]
  if (candidate && typeof candidate === 'object' && 'prompt' in candidate) {
    return [{ role: 'user', content: (candidate as { prompt: unknown }).prompt }]
  }
  return prompt === '' ? [] : [{ role: 'user', content: prompt }]
}

function toDetail(
  row: DetailRowDb,
  scorers: ScorerRowDb[],
  feedback: ExchangeDetail['feedback'],
): ExchangeDetail {
  const tools = parseJson(row.tools)
  const sources = SourcesJson.safeParse(parseJson(row.sources))
  // Rows are ordered by scorer/version, so on a name shared by two scorers the last one wins, as in lists.
  return {
    ...toExchangeItem(row, scorers),
    route: row.route,
    upstream: row.upstream,
    costUsd: row.cost_usd,
    usageSource: row.usage_source,
    tags: {
      user: row.user_id,
      session: row.session_id,
      feature: row.feature,
      policyVersion: row.policy_version,
      extra: row.tags,
    },
    messages: toMessages(row.request_json, row.prompt),
    tools: Array.isArray(tools) ? tools : [],
    sources: sources.success ? sources.data : [],
    errorMessage: row.error_message,
    origin: row.origin,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    scorers: scorers.map((s) => ({
      scorer: s.scorer,
      version: s.scorer_version,
      name: s.name,
      value: s.value,
      label: s.label,
    })),
    feedback,
  }
}

/**
 * One exchange of a project with all it carries, its latest scores per (scorer, version, name) and its feedback, or null
 * when the project has no such event. A UUIDv7 id bounds the read to ±1 day of its timestamp.
 */
export const getExchange =
  (ch: ClickHouseClient) =>
  async (input: GetExchangeParams): Promise<ExchangeDetail | null> => {
    const params = GetExchangeParams.parse(input)
    const ms = uuidV7Millis(params.eventId)
    const rows = await exchangeRow(ch)(
      ms === null ? params : { ...params, fromMs: ms - DAY_MS, toMs: ms + DAY_MS },
    )
    const row = rows[0]
    if (!row) return null
    const scorers = await exchangeScorers(ch)({
      projectId: params.projectId,
      eventId: params.eventId,
      fromMs: row.time_ms - DAY_MS,
      toMs: row.time_ms + DAY_MS,
    })
    const feedback = await exchangeFeedback(ch)({
      projectId: params.projectId,
      eventId: params.eventId,
      timeMs: row.time_ms,
    })
    return toDetail(row, scorers, feedback)
  }
