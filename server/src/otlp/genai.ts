import { isObject, type Json } from '../core/json.ts'
import type { Endpoint, ExchangeUsage, ToolCall } from '../exchange/record.ts'
import { indexed, jsonish } from './attrs.ts'
import { openInferenceExchange } from './openinference.ts'
import type { OtlpSpan } from './spans.ts'

/**
 * An LLM call read from a span: the OpenTelemetry GenAI semantic conventions (`gen_ai.input.messages`
 * / `gen_ai.output.messages` with `parts`; the older `gen_ai.*.message` / `gen_ai.choice` events; the
 * oldest `gen_ai.prompt` / `gen_ai.completion` JSON and their indexed `gen_ai.prompt.0.content` form)
 * or OpenInference (`llm.*`, `input.value` / `output.value`). Other spans (tools, agents) are not.
 */
export interface SpanExchange {
  endpoint: Endpoint
  model: string
  provider: string
  messages: Array<Record<string, unknown>>
  responseText: string
  toolCalls: ToolCall[]
  tools: unknown[]
  usage: ExchangeUsage | null
  finishReason: string
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

const OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'completion'])

/** A message of the current conventions (`parts`) or an OpenAI-style one, as a chat message. */
function chatMessage(m: unknown, calls?: ToolCall[]): Json | null {
  if (!isObject(m)) return typeof m === 'string' ? { role: 'user', content: m } : null
  const role = typeof m.role === 'string' ? m.role : 'user'
  if (!Array.isArray(m.parts)) {
    const content = typeof m.content === 'string' ? m.content : str(m.content)
    const tc = Array.isArray(m.tool_calls) ? m.tool_calls : []
    for (const c of tc) {
      if (!isObject(c)) continue
      const fn = isObject(c.function) ? c.function : c
      calls?.push({ id: str(c.id), name: str(fn.name), arguments: str(jsonish(fn.arguments)) })
    }
    return tc.length > 0 ? { role, content, tool_calls: tc } : { role, content }
  }
  const text: string[] = []
  const toolCalls: Json[] = []
  let toolResponse: Json | null = null
  for (const p of m.parts) {
    if (!isObject(p)) continue
    if (p.type === 'text' || p.type === 'reasoning') {
      if (p.type === 'text') text.push(str(p.content))
    } else if (p.type === 'tool_call') {
      const args = typeof p.arguments === 'string' ? p.arguments : JSON.stringify(p.arguments ?? {})
      toolCalls.push({ id: str(p.id), type: 'function', function: { name: str(p.name), arguments: args } })
      calls?.push({ id: str(p.id), name: str(p.name), arguments: args })
    } else if (p.type === 'tool_call_response') toolResponse = { id: str(p.id), response: str(p.response) }
  }
  if (toolResponse) return { role: 'tool', tool_call_id: toolResponse.id, content: toolResponse.response }
  const content = text.join('\n')
  return toolCalls.length > 0 ? { role, content, tool_calls: toolCalls } : { role, content }
}

function messagesFrom(v: unknown, calls?: ToolCall[]): Json[] {
  const value = jsonish(v)
  const arr = Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]
  return arr.map((m) => chatMessage(m, calls)).filter((m): m is Json => m !== null)
}

/** `gen_ai.*.message` and `gen_ai.choice` span events (the conventions before `gen_ai.input.messages`). */
function fromEvents(span: OtlpSpan, calls: ToolCall[]): { input: Json[]; output: Json[]; finish: string } {
  const input: Json[] = []
  const output: Json[] = []
  let finish = ''
  for (const e of span.events) {
    const a = e.attributes
    const body = jsonish(a['gen_ai.event.content'])
    const fields: Json = isObject(body) ? { ...a, ...body } : a
    const m = /^gen_ai\.(system|user|assistant|tool)\.message$/.exec(e.name)
    if (m) {
      const msg = chatMessage({ ...fields, role: m[1], content: jsonish(fields.content) })
      if (msg) input.push(msg)
    } else if (e.name === 'gen_ai.choice') {
      const message = jsonish(fields.message)
      const msg = chatMessage(
        isObject(message)
          ? { role: 'assistant', ...message }
          : { role: 'assistant', content: fields.content },
        calls,
      )
      if (msg) output.push(msg)
      if (typeof fields.finish_reason === 'string') finish = fields.finish_reason
    } else if (e.name === 'gen_ai.content.prompt') input.push(...messagesFrom(a['gen_ai.prompt']))
    else if (e.name === 'gen_ai.content.completion')
      output.push(...messagesFrom(a['gen_ai.completion'], calls))
  }
  return { input, output, finish }
}

/** OpenLLMetry's flattened `gen_ai.prompt.0.role` / `gen_ai.completion.0.tool_calls.0.name` form. */
function fromIndexed(attrs: Json, prefix: string, calls?: ToolCall[]): Json[] {
  return indexed(attrs, prefix).map((m) => {
    const tc = indexed(m, 'tool_calls').map((c) => ({
      id: c.id,
      function: { name: c.name, arguments: c.arguments },
    }))
    return chatMessage(
      { role: m.role ?? 'user', content: m.content, ...(tc.length ? { tool_calls: tc } : {}) },
      calls,
    ) as Json
  })
}

function usageOf(a: Json): ExchangeUsage | null {
  const input = num(a['gen_ai.usage.input_tokens']) ?? num(a['gen_ai.usage.prompt_tokens'])
  const output = num(a['gen_ai.usage.output_tokens']) ?? num(a['gen_ai.usage.completion_tokens'])
  if (input === null && output === null) return null
  const cached =
    num(a['gen_ai.usage.cache_read.input_tokens']) ?? num(a['gen_ai.usage.cache_read_input_tokens'])
  return { promptTokens: input ?? 0, completionTokens: output ?? 0, cachedTokens: cached ?? 0 }
}

const assistantText = (messages: Json[]) =>
  messages
    .filter((m) => m.role === 'assistant' || m.role === 'model')
    .map((m) => str(m.content))
    .join('')

export function spanExchange(span: OtlpSpan): SpanExchange | null {
  const a = span.attributes
  if (a['openinference.span.kind'] !== undefined) return openInferenceExchange(span)
  const op = typeof a['gen_ai.operation.name'] === 'string' ? a['gen_ai.operation.name'] : ''
  const calls: ToolCall[] = []
  const system = messagesFrom(a['gen_ai.system_instructions']).map((m) => ({ ...m, role: 'system' }))
  let input = messagesFrom(a['gen_ai.input.messages'])
  let output = messagesFrom(a['gen_ai.output.messages'], calls)
  let finish = ''
  if (input.length === 0 && output.length === 0) {
    const ev = fromEvents(span, calls)
    input = ev.input
    output = ev.output
    finish = ev.finish
  }
  if (input.length === 0)
    input =
      a['gen_ai.prompt'] !== undefined ? messagesFrom(a['gen_ai.prompt']) : fromIndexed(a, 'gen_ai.prompt')
  if (output.length === 0)
    output =
      a['gen_ai.completion'] !== undefined
        ? messagesFrom(a['gen_ai.completion'], calls)
        : fromIndexed(a, 'gen_ai.completion', calls)
  const model = str(a['gen_ai.response.model'] || a['gen_ai.request.model'])
  const isCall = op ? OPERATIONS.has(op) : input.length > 0 || output.length > 0
  if (!isCall || (input.length === 0 && output.length === 0 && !model)) return null
  const reasons = a['gen_ai.response.finish_reasons']
  const rawOut = jsonish(a['gen_ai.output.messages'])
  const lastOut = Array.isArray(rawOut) ? rawOut.at(-1) : null
  finish ||=
    (Array.isArray(reasons) ? str(reasons[0]) : str(reasons)) ||
    (isObject(lastOut) ? str(lastOut.finish_reason) : '')
  const tools = jsonish(a['gen_ai.tool.definitions'])
  return {
    endpoint: op === 'text_completion' ? 'completions' : 'chat.completions',
    model,
    provider: str(a['gen_ai.provider.name'] || a['gen_ai.system']),
    messages: [...system, ...input],
    responseText: assistantText(output),
    toolCalls: calls,
    tools: Array.isArray(tools)
      ? tools.map((t) =>
          isObject(t) && typeof t.name === 'string' && !isObject(t.function)
            ? {
                type: 'function',
                function: { name: t.name, description: t.description, parameters: t.parameters ?? {} },
              }
            : t,
        )
      : [],
    usage: usageOf(a),
    finishReason: finish,
  }
}
