import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { createKeyResolver, type ProjectKeyResolver } from '../../auth/index.ts'
import { LeashError } from '../../errors.ts'
import { Source, ToolCall } from '../../exchange/record.ts'
import { newEventId } from '../../gateway/event-id.ts'
import {
  EMPTY_TAGS,
  type ExternalExchange,
  eventIdFor,
  externalRecord,
  lastUserText,
  timeOfId,
} from '../../gateway/external.ts'
import type { ApiContext, ApiEnv } from '../context.ts'

/** Largest body and row count one call may carry; bigger loads are split by the caller. */
export const BATCH_MAX_BYTES = 16 * 1024 * 1024
export const BATCH_MAX_ROWS = 10_000

const Usage = z.union([
  z.object({
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
    cachedTokens: z.number().int().nonnegative().default(0),
  }),
  // OpenAI's own usage object, as an app has it at hand.
  z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative() }).partial().optional(),
    })
    .transform((u) => ({
      promptTokens: u.prompt_tokens,
      completionTokens: u.completion_tokens,
      cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    })),
])

const Tag = z.string().max(256)

/** One completed exchange logged from code, without the proxy. */
export const BatchExchange = z
  .object({
    id: z.string().min(1).max(256).optional(),
    model: z.string().min(1).max(256),
    messages: z
      .array(z.looseObject({ role: z.string(), content: z.unknown() }))
      .min(1)
      .optional(),
    prompt: z.string().optional(),
    response: z.string(),
    usage: Usage.optional(),
    latencyMs: z.number().nonnegative().optional(),
    tags: z
      .object({
        user: Tag,
        session: Tag,
        feature: Tag,
        policyVersion: Tag,
        extra: z.record(Tag, Tag),
      })
      .partial()
      .optional(),
    sources: z.array(Source).max(1000).optional(),
    tools: z.array(z.unknown()).optional(),
    toolCalls: z.array(ToolCall).optional(),
    finishReason: z.string().max(64).optional(),
    time: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
  })
  .strict()
  .refine((x) => x.messages !== undefined || x.prompt !== undefined, {
    message: 'one of messages or prompt is required',
  })
export type BatchExchange = z.infer<typeof BatchExchange>

/** Rows of a JSON array, or of JSON lines (blank lines skipped); a line that is not JSON is a row error. */
function rowsOf(text: string): Array<{ value: unknown } | { error: string }> {
  const trimmed = text.trim()
  if (trimmed.startsWith('[')) {
    let list: unknown
    try {
      list = JSON.parse(trimmed)
    } catch {
      throw new LeashError('bad_request', 'the body starts with [ but is not a JSON array')
    }
    return (list as unknown[]).map((value) => ({ value }))
  }
  return trimmed
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return { value: JSON.parse(line) as unknown }
      } catch {
        return { error: 'not valid JSON' }
      }
    })
}

const issueText = (e: z.ZodError) => {
  const i = e.issues[0]
  return `${i?.path.length ? `${i.path.join('.')}: ` : ''}${i?.message ?? 'invalid row'}`
}

/**
 * `POST /ingest/exchanges` with the project key as the Bearer (apps call it, so it is mounted before
 * the login middleware): valid rows go into the durable spool and are scored like proxied traffic.
 */
export function batchIngestRoutes(ctx: ApiContext) {
  let keys: Pick<ProjectKeyResolver, 'resolve'> | undefined = ctx.keys
  // Rows re-sent without `time` keep the time of their first delivery, so they dedup on the same key.
  const firstSeen = new Map<string, number>()
  const tooLarge = () => new LeashError('payload_too_large', `the body is over ${BATCH_MAX_BYTES} bytes`)
  // Counted as it streams in, so a chunked upload without a length cannot grow past the cap in memory.
  const limit = bodyLimit({
    maxSize: BATCH_MAX_BYTES,
    onError: () => {
      throw tooLarge()
    },
  })
  return new Hono<ApiEnv>().post('/ingest/exchanges', limit, async (c) => {
    const bearer = c.req
      .header('authorization')
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim()
    if (!bearer) throw new LeashError('unauthorized', 'send the project key as `Authorization: Bearer <key>`')
    keys ??= createKeyResolver(ctx.db, (m) => ctx.log('warn', m))
    const resolved = await keys.resolve(bearer)
    if (!resolved) throw new LeashError('unauthorized', 'unknown or revoked project key')
    const target = ctx.exchanges
    if (!target) throw new LeashError('storage_unavailable', 'ingest is not running in this process')
    const body = await c.req.arrayBuffer()
    if (body.byteLength > BATCH_MAX_BYTES) throw tooLarge()
    const rows = rowsOf(new TextDecoder().decode(body))
    if (rows.length > BATCH_MAX_ROWS)
      throw new LeashError('payload_too_large', `at most ${BATCH_MAX_ROWS} rows per call`)
    const projectId = resolved.projectId
    const settings = target.settings.get(projectId)
    const errors: Array<{ index: number; message: string }> = []
    let accepted = 0
    for (const [index, row] of rows.entries()) {
      if ('error' in row) {
        errors.push({ index, message: row.error })
        continue
      }
      const parsed = BatchExchange.safeParse(row.value)
      if (!parsed.success) {
        errors.push({ index, message: issueText(parsed.error) })
        continue
      }
      const x = parsed.data
      const now = Date.now()
      const key = x.id === undefined ? null : `${projectId}\0${x.id}`
      const time =
        typeof x.time === 'number'
          ? x.time
          : typeof x.time === 'string'
            ? Date.parse(x.time)
            : ((x.id ? timeOfId(x.id) : null) ?? (key ? firstSeen.get(key) : undefined) ?? now)
      if (key && x.time === undefined && !firstSeen.has(key)) {
        if (firstSeen.size >= 100_000) firstSeen.clear()
        firstSeen.set(key, time)
      }
      const messages = x.messages ?? null
      const ex: ExternalExchange = {
        eventId: x.id ? eventIdFor(projectId, x.id) : newEventId(time),
        projectId,
        origin: 'batch',
        time,
        endpoint: messages ? 'chat.completions' : 'completions',
        model: x.model,
        messages,
        prompt: messages ? lastUserText(messages) : (x.prompt ?? ''),
        responseText: x.response,
        toolCalls: x.toolCalls ?? [],
        tools: x.tools ?? [],
        usage: x.usage ?? null,
        latencyMs: x.latencyMs ?? 0,
        ttftMs: null,
        tags: { ...EMPTY_TAGS, ...x.tags, extra: x.tags?.extra ?? {} },
        sources: x.sources ?? [],
        finishReason: x.finishReason ?? '',
        status: 200,
        errorMessage: '',
      }
      try {
        target.sink.record(externalRecord(ex, settings))
        accepted++
      } catch (err) {
        errors.push({ index, message: err instanceof Error ? err.message : 'could not be recorded' })
      }
    }
    return c.json({ accepted, errors }, 202)
  })
}
