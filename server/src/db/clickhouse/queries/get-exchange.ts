import type { ClickHouseClient } from '@clickhouse/client'
import type { ExchangeDetail, ExchangeItem } from '@leash/shared'
import { z } from 'zod'

export const GetExchangeParams = z.object({
  projectId: z.string().min(1),
  eventId: z.uuid(),
})
export type GetExchangeParams = z.infer<typeof GetExchangeParams>

const DAY_MS = 86_400_000

// 64-bit integers arrive as JSON strings, hence the coercions. The id alias must not be `event_id`:
// ClickHouse lets a SELECT alias shadow the column in WHERE, turning the UUID filter into a string one.
const DetailRowDb = z.object({
  id: z.string(),
  time_ms: z.coerce.number(),
  project_id: z.string(),
  endpoint: z.string(),
  route: z.string(),
  upstream: z.string(),
  model: z.string(),
  stream: z.boolean(),
  status: z.number(),
  outcome: z.string(),
  latency_ms: z.number(),
  ttft_ms: z.number().nullable(),
  has_usage: z.boolean(),
  usage_source: z.string(),
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  cached_tokens: z.number(),
  cost_usd: z.number(),
  user_id: z.string(),
  session_id: z.string(),
  feature: z.string(),
  policy_version: z.string(),
  tags: z.record(z.string(), z.string()),
  request_json: z.string(),
  prompt: z.string(),
  response_text: z.string(),
  tools: z.string(),
  tool_calls: z.string(),
  finish_reason: z.string(),
  sources: z.string(),
  error_message: z.string(),
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
  request_json, prompt, response_text, tools, tool_calls, finish_reason, sources, error_message`

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

/** Milliseconds in the first 48 bits of a UUIDv7, or null when the id is not version 7. */
export function uuidV7Millis(id: string): number | null {
  const hex = id.replace(/-/g, '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(hex) || hex[12] !== '7') return null
  return Number.parseInt(hex.slice(0, 12), 16)
}

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

const ToolCallsJson = z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() }))
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

function toDetail(row: DetailRowDb, scorers: ScorerRowDb[]): ExchangeDetail {
  const tools = parseJson(row.tools)
  const toolCalls = ToolCallsJson.safeParse(parseJson(row.tool_calls))
  const sources = SourcesJson.safeParse(parseJson(row.sources))
  const scores: ExchangeItem['scores'] = {}
  const labels: ExchangeItem['labels'] = {}
  // Rows are ordered by scorer/version, so on a name shared by two scorers the last one wins, as in lists.
  for (const s of scorers) {
    scores[s.name] = s.value
    if (s.label !== '') labels[s.name] = s.label
  }
  return {
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
    toolCalls: toolCalls.success ? toolCalls.data : [],
    scores,
    labels,
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
    scorers: scorers.map((s) => ({
      scorer: s.scorer,
      version: s.scorer_version,
      name: s.name,
      value: s.value,
      label: s.label,
    })),
  }
}

async function select<T>(
  ch: ClickHouseClient,
  schema: z.ZodType<T>,
  query: string,
  params: Record<string, unknown>,
): Promise<T[]> {
  const rs = await ch.query({ query, query_params: params, format: 'JSONEachRow' })
  return z.array(schema).parse(await rs.json())
}

/**
 * One exchange of a project with all it carries and its latest scores per (scorer, version, name), or null
 * when the project has no such event. A UUIDv7 id bounds the read to ±1 day of its timestamp.
 */
export const getExchange =
  (ch: ClickHouseClient) =>
  async (input: GetExchangeParams): Promise<ExchangeDetail | null> => {
    const params = GetExchangeParams.parse(input)
    const ms = uuidV7Millis(params.eventId)
    const rows =
      ms === null
        ? await select(ch, DetailRowDb, rowSql(false), params)
        : await select(ch, DetailRowDb, rowSql(true), { ...params, fromMs: ms - DAY_MS, toMs: ms + DAY_MS })
    const row = rows[0]
    if (!row) return null
    const scorers = await select(ch, ScorerRowDb, SCORES_SQL, {
      projectId: params.projectId,
      eventId: params.eventId,
      fromMs: row.time_ms - DAY_MS,
      toMs: row.time_ms + DAY_MS,
    })
    return toDetail(row, scorers)
  }
