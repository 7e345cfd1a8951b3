import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { Source } from '../exchange/record.ts'
import { estimateTokens, hashString, Rng } from './hash.ts'
import { sendJson, sleep } from './http-util.ts'
import { drawPacing } from './latency.ts'
import { type DemoReply, planReply } from './reply.ts'
import { COST_SPIKE_PROMPT_FACTOR, LATENCY_FACTOR, scenarioOf } from './scenario.ts'
import { asJsonSchema, ChatRequest, DemoSource, messageText, parseBody } from './shapes.ts'
import { SseWriter, splitPieces } from './sse.ts'
import type { DemoTool } from './types.ts'

export interface DemoContext {
  seed: number
  latencyScale: number
}

export const FINGERPRINT = 'leash-demo'

/** Sources from the `x-leash-sources` header (base64 JSON) or `leash.sources`; a bad header is ignored. */
export function readSources(req: IncomingMessage, body: ChatRequest): Source[] {
  const header = req.headers['x-leash-sources']
  if (typeof header === 'string' && header.length > 0) {
    try {
      const parsed = z.array(DemoSource).safeParse(JSON.parse(Buffer.from(header, 'base64').toString('utf8')))
      if (parsed.success) return parsed.data
    } catch {
      // A malformed header is the caller's tagging problem; the demo still answers.
    }
  }
  return body.leash?.sources ?? sourcesInPrompt(body)
}

/** RAG apps put sources in the system prompt as `[n] text` lines under "Sources:"; the demo reads them there too. */
function sourcesInPrompt(body: ChatRequest): Source[] {
  const system = body.messages.find((m) => m.role === 'system')
  const text = typeof system?.content === 'string' ? system.content : ''
  const section = text.split(/\nSources:\n/)[1]
  if (!section) return []
  return [...section.matchAll(/^\[([\w-]+)\]\s+(.+)$/gm)].map((m) => ({ id: m[1] ?? '', text: m[2] ?? '' }))
}

export function usageOf(promptTokens: number, completionTokens: number) {
  const cached = promptTokens >= 1024 ? Math.floor((promptTokens * 0.6) / 128) * 128 : 0
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  }
}

function completionTokens(reply: DemoReply): number {
  const args = reply.toolCalls.reduce(
    (n, c) => n + estimateTokens(c.arguments) + estimateTokens(c.name) + 3,
    0,
  )
  return estimateTokens(reply.content ?? '') + args
}

export async function handleChat(req: IncomingMessage, res: ServerResponse, raw: unknown, ctx: DemoContext) {
  const body = parseBody(ChatRequest, raw)
  const scenario = scenarioOf(body)
  const messages = body.messages.map((m) => ({ role: m.role, content: messageText(m) }))
  const tools: DemoTool[] = (body.tools ?? []).map((t) => ({
    type: 'function',
    function: {
      name: t.function.name,
      description: t.function.description ?? '',
      parameters: asJsonSchema(t.function.parameters),
    },
  }))
  const choice = body.tool_choice
  const toolChoice = typeof choice === 'object' && choice !== null ? choice.function.name : (choice ?? 'auto')
  const reply = planReply({
    model: body.model,
    messages,
    tools,
    toolChoice,
    sources: readSources(req, body),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? null,
    seed: ctx.seed,
    scenario,
  })
  const promptTokens =
    (messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 3) +
      estimateTokens(JSON.stringify(body.tools ?? []))) *
    (scenario === 'cost-spike' ? COST_SPIKE_PROMPT_FACTOR : 1)
  const usage = usageOf(promptTokens, completionTokens(reply))
  const key = hashString(JSON.stringify(body.messages), ctx.seed)
  const id = `chatcmpl-${key.toString(16)}${Date.now().toString(36)}`
  const created = Math.floor(Date.now() / 1000)
  const drawn = drawPacing(key, body.model, ctx.latencyScale)
  const pacing =
    scenario === 'latency-regression'
      ? { ttftMs: drawn.ttftMs * LATENCY_FACTOR.ttft, perTokenMs: drawn.perTokenMs * LATENCY_FACTOR.perToken }
      : drawn
  const base = { id, created, model: body.model, system_fingerprint: FINGERPRINT }
  const toolCalls = reply.toolCalls.map((c) => ({
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }))

  if (!body.stream) {
    await sleep(pacing.ttftMs + pacing.perTokenMs * usage.completion_tokens)
    const message = {
      role: 'assistant',
      content: reply.content,
      refusal: null,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    }
    sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
      usage,
    })
    return
  }

  const includeUsage = body.stream_options?.include_usage === true
  const sse = new SseWriter(res)
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    ...base,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  })
  sse.open()
  await sse.pause(pacing.ttftMs)
  sse.send(chunk({ role: 'assistant', content: reply.content === null ? null : '', refusal: null }, null))
  const rng = new Rng(key)
  for (const piece of splitPieces(reply.content ?? '', () => rng.next())) {
    if (sse.isClosed) return
    await sse.pause(pacing.perTokenMs * estimateTokens(piece))
    sse.send(chunk({ content: piece }, null))
  }
  for (const [index, call] of toolCalls.entries()) {
    sse.send(
      chunk(
        {
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
          ],
        },
        null,
      ),
    )
    for (const piece of call.function.arguments.match(/.{1,12}/gs) ?? []) {
      await sse.pause(pacing.perTokenMs * estimateTokens(piece))
      sse.send(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null))
    }
  }
  sse.send(chunk({}, reply.finishReason))
  if (includeUsage) sse.send({ ...base, object: 'chat.completion.chunk', choices: [], usage })
  sse.done()
}
