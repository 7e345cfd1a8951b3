import type { ServerResponse } from 'node:http'
import type { DemoContext } from './chat-route.ts'
import { FINGERPRINT, usageOf } from './chat-route.ts'
import { estimateTokens, hashString, Rng } from './hash.ts'
import { sendJson, sleep } from './http-util.ts'
import { drawPacing } from './latency.ts'
import { planReply } from './reply.ts'
import { CompletionRequest, EmbeddingRequest, parseBody } from './shapes.ts'
import { SseWriter, splitPieces } from './sse.ts'

export const CHAT_MODELS = ['leash-demo-mini', 'leash-demo-pro'] as const
export const EMBEDDING_MODELS = ['leash-demo-embed'] as const
const CREATED = 1735689600

export function handleModels(res: ServerResponse): void {
  const data = [...CHAT_MODELS, ...EMBEDDING_MODELS].map((id) => ({
    id,
    object: 'model',
    created: CREATED,
    owned_by: 'leash-demo',
  }))
  sendJson(res, 200, { object: 'list', data })
}

export async function handleCompletions(res: ServerResponse, raw: unknown, ctx: DemoContext): Promise<void> {
  const body = parseBody(CompletionRequest, raw)
  const prompt = Array.isArray(body.prompt) ? body.prompt.join('\n') : body.prompt
  const reply = planReply({
    model: body.model,
    messages: [{ role: 'user', content: prompt }],
    tools: [],
    toolChoice: 'none',
    sources: [],
    maxTokens: body.max_tokens ?? null,
    seed: ctx.seed,
  })
  const text = reply.content ?? ''
  const usage = usageOf(estimateTokens(prompt), estimateTokens(text))
  const key = hashString(prompt, ctx.seed)
  const base = {
    id: `cmpl-${key.toString(16)}${Date.now().toString(36)}`,
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    system_fingerprint: FINGERPRINT,
  }
  const pacing = drawPacing(key, body.model, ctx.latencyScale)
  const choice = (t: string, finish: string | null) => ({
    text: t,
    index: 0,
    logprobs: null,
    finish_reason: finish,
  })
  if (!body.stream) {
    await sleep(pacing.ttftMs + pacing.perTokenMs * usage.completion_tokens)
    sendJson(res, 200, {
      ...base,
      object: 'text_completion',
      choices: [choice(text, reply.finishReason)],
      usage,
    })
    return
  }
  const sse = new SseWriter(res)
  sse.open()
  await sse.pause(pacing.ttftMs)
  const rng = new Rng(key)
  for (const piece of splitPieces(text, () => rng.next())) {
    if (sse.isClosed) return
    await sse.pause(pacing.perTokenMs * estimateTokens(piece))
    sse.send({ ...base, object: 'text_completion', choices: [choice(piece, null)] })
  }
  sse.send({ ...base, object: 'text_completion', choices: [choice('', reply.finishReason)] })
  if (body.stream_options?.include_usage) sse.send({ ...base, object: 'text_completion', choices: [], usage })
  sse.done()
}

/** Sum of per-word random vectors, normalized: texts sharing words get similar vectors. */
export function embedText(text: string, dims: number, seed: number): number[] {
  const vec = new Array<number>(dims).fill(0)
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text]
  for (const word of words) {
    const rng = new Rng(hashString(word, seed))
    for (let i = 0; i < dims; i++) vec[i] = (vec[i] ?? 0) + (rng.next() * 2 - 1)
  }
  const norm = Math.sqrt(vec.reduce((s, v) => s + v * v, 0)) || 1
  return vec.map((v) => v / norm)
}

export function handleEmbeddings(res: ServerResponse, raw: unknown, ctx: DemoContext): void {
  const body = parseBody(EmbeddingRequest, raw)
  const inputs: string[] =
    typeof body.input === 'string'
      ? [body.input]
      : body.input.map((item) => (Array.isArray(item) ? item.join(' ') : String(item)))
  const dims = body.dimensions ?? 256
  const data = inputs.map((text, index) => {
    const vector = embedText(text, dims, ctx.seed)
    const embedding =
      body.encoding_format === 'base64'
        ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
        : vector
    return { object: 'embedding', index, embedding }
  })
  const tokens = inputs.reduce((n, t) => n + estimateTokens(t), 0)
  sendJson(res, 200, {
    object: 'list',
    data,
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  })
}
