import type OpenAI from 'openai'
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions'
import type { Rng } from './hash.ts'

export interface TurnRequest {
  model: string
  messages: ChatCompletionMessageParam[]
  stream: boolean
  tools: ChatCompletionTool[] | undefined
  headers: Record<string, string>
  /** OpenAI `metadata`; carries the demo scenario switch through the gateway. */
  metadata?: Record<string, string>
}

export interface TurnResult {
  message: ChatCompletionAssistantMessageParam
  toolCalls: Array<{ id: string; name: string }>
}

/** One chat call, streamed or not; returns the assistant turn to continue the conversation with. */
export async function sendTurn(client: OpenAI, req: TurnRequest): Promise<TurnResult> {
  const base = {
    model: req.model,
    messages: [...req.messages],
    ...(req.tools ? { tools: req.tools } : {}),
    ...(req.metadata ? { metadata: req.metadata } : {}),
  }
  if (!req.stream) {
    const res = await client.chat.completions.create({ ...base, stream: false }, { headers: req.headers })
    const msg = res.choices[0]?.message
    const calls = (msg?.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [c] : []))
    return {
      message: {
        role: 'assistant',
        content: msg?.content ?? null,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      },
      toolCalls: calls.map((c) => ({ id: c.id, name: c.function.name })),
    }
  }
  const stream = await client.chat.completions.create(
    { ...base, stream: true, stream_options: { include_usage: true } },
    { headers: req.headers },
  )
  let content = ''
  const calls: Array<{ id: string; name: string; arguments: string }> = []
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta
    if (delta?.content) content += delta.content
    for (const tc of delta?.tool_calls ?? []) {
      const slot = calls[tc.index] ?? { id: '', name: '', arguments: '' }
      calls[tc.index] = slot
      if (tc.id) slot.id = tc.id
      if (tc.function?.name) slot.name = tc.function.name
      if (tc.function?.arguments) slot.arguments += tc.function.arguments
    }
  }
  const toolCalls = calls.map((c) => ({
    id: c.id,
    type: 'function' as const,
    function: { name: c.name, arguments: c.arguments },
  }))
  return {
    message: {
      role: 'assistant',
      content: content || null,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    toolCalls: calls.map((c) => ({ id: c.id, name: c.name })),
  }
}

/** What a tool would have answered, so agent-style sessions continue after a tool call. */
export function fakeToolResult(name: string, rng: Rng): string {
  if (name.includes('weather')) {
    return JSON.stringify({
      temp_c: rng.int(4, 31),
      conditions: rng.pick(['sunny', 'light rain', 'cloudy', 'windy']),
    })
  }
  if (name.includes('calendar'))
    return JSON.stringify({ status: 'created', event_id: `evt_${rng.int(1000, 9999)}` })
  if (name.includes('search')) {
    return JSON.stringify({
      results: [
        { title: 'Overview and latest updates', url: 'https://example.com/a' },
        { title: 'What experts say', url: 'https://example.com/b' },
      ],
    })
  }
  return JSON.stringify({ ok: true })
}
