import { isObject, type Json } from '../core/json.ts'
import type { ExchangeUsage, ToolCall } from '../exchange/record.ts'
import { indexed, jsonish } from './attrs.ts'
import type { SpanExchange } from './genai.ts'
import type { OtlpSpan } from './spans.ts'

/**
 * OpenInference LLM spans (Arize Phoenix's conventions): `llm.model_name`,
 * `llm.input_messages.<i>.message.role|content|contents.<j>.message_content.text|tool_calls.<k>...`,
 * `llm.output_messages.*`, `llm.token_count.*`, `llm.tools.<i>.tool.json_schema`, and the raw
 * `input.value` / `output.value` when no messages were captured.
 */

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

function messages(attrs: Json, prefix: string, calls?: ToolCall[]): Json[] {
  return indexed(attrs, prefix).map((m) => {
    const role = str(m['message.role']) || 'user'
    const parts = indexed(m, 'message.contents')
      .map((c) => str(c['message_content.text']))
      .filter(Boolean)
    const content = m['message.content'] !== undefined ? str(m['message.content']) : parts.join('\n')
    const tc = indexed(m, 'message.tool_calls').map((c) => {
      const call = {
        id: str(c['tool_call.id']),
        name: str(c['tool_call.function.name']),
        arguments: str(c['tool_call.function.arguments']),
      }
      calls?.push(call)
      return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }
    })
    return tc.length > 0 ? { role, content, tool_calls: tc } : { role, content }
  })
}

/** `input.value` of an OpenAI-shaped call: its `messages` when JSON, else the text as the user turn. */
function fromInputValue(v: unknown): Json[] {
  const parsed = jsonish(v)
  if (isObject(parsed) && Array.isArray(parsed.messages)) return parsed.messages.filter(isObject)
  if (isObject(parsed) && typeof parsed.input === 'string') return [{ role: 'user', content: parsed.input }]
  return v === undefined ? [] : [{ role: 'user', content: str(v) }]
}

/** `output.value`: a chat completion or Responses object when JSON, else the text itself. */
function fromOutputValue(v: unknown): string {
  const parsed = jsonish(v)
  if (!isObject(parsed)) return v === undefined ? '' : str(v)
  const choice = Array.isArray(parsed.choices) ? parsed.choices[0] : undefined
  if (isObject(choice) && isObject(choice.message)) return str(choice.message.content)
  if (typeof parsed.output_text === 'string') return parsed.output_text
  return str(v)
}

function usageOf(a: Json): ExchangeUsage | null {
  const prompt = num(a['llm.token_count.prompt'])
  const completion = num(a['llm.token_count.completion'])
  if (prompt === null && completion === null) return null
  return {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    cachedTokens: num(a['llm.token_count.prompt_details.cache_read']) ?? 0,
  }
}

export function openInferenceExchange(span: OtlpSpan): SpanExchange | null {
  const a = span.attributes
  if (a['openinference.span.kind'] !== 'LLM') return null
  const calls: ToolCall[] = []
  let input = messages(a, 'llm.input_messages')
  if (input.length === 0) input = fromInputValue(a['input.value'])
  const output = messages(a, 'llm.output_messages', calls)
  const responseText =
    output.length > 0
      ? output
          .filter((m) => m.role === 'assistant')
          .map((m) => str(m.content))
          .join('')
      : fromOutputValue(a['output.value'])
  const tools = indexed(a, 'llm.tools').map((t) => {
    const schema = jsonish(t['tool.json_schema'])
    return isObject(schema) && schema.type === 'function' ? schema : { type: 'function', function: schema }
  })
  return {
    endpoint: 'chat.completions',
    model: str(a['llm.model_name']),
    provider: str(a['llm.provider'] || a['llm.system']),
    messages: input,
    responseText,
    toolCalls: calls,
    tools,
    usage: usageOf(a),
    finishReason: '',
  }
}
