import { isObject, type Json, num, str } from '../core/json.ts'
import type { ExchangeUsage, ToolCall } from '../exchange/record.ts'
import { type ParsedResponse, sseData } from './parse-response.ts'

/**
 * The OpenAI Responses API (`POST /v1/responses`): its request normalised to chat-shaped messages
 * and tools for the record (so scorers see one shape), and its answer (JSON or typed SSE events)
 * reassembled into text, function calls and usage.
 */

/** Text of Responses content: a string, or parts (`input_text`, `output_text`, `refusal`, ...). */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const out: string[] = []
  for (const p of content) {
    if (!isObject(p)) continue
    if (typeof p.text === 'string') out.push(p.text)
    else if (typeof p.refusal === 'string') out.push(p.refusal)
  }
  return out.join('\n')
}

export interface ChatShaped {
  messages: Json[]
  tools: unknown[] | null
}

/** `instructions` + `input` as chat messages; function calls and their outputs keep their ids. */
export function responsesRequestMessages(body: Json): ChatShaped {
  const messages: Json[] = []
  if (typeof body.instructions === 'string' && body.instructions)
    messages.push({ role: 'system', content: body.instructions })
  const input = body.input
  if (typeof input === 'string') messages.push({ role: 'user', content: input })
  else if (Array.isArray(input)) {
    for (const item of input) {
      if (typeof item === 'string') messages.push({ role: 'user', content: item })
      if (!isObject(item)) continue
      const type = str(item.type)
      if (type === 'function_call') {
        messages.push({
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: str(item.call_id),
              type: 'function',
              function: { name: str(item.name), arguments: str(item.arguments) },
            },
          ],
        })
      } else if (type === 'function_call_output') {
        messages.push({ role: 'tool', tool_call_id: str(item.call_id), content: partsText(item.output) })
      } else if (typeof item.role === 'string') {
        messages.push({
          role: item.role === 'developer' ? 'system' : item.role,
          content: partsText(item.content),
        })
      }
    }
  }
  const tools: unknown[] = []
  if (Array.isArray(body.tools)) {
    for (const t of body.tools) {
      if (isObject(t) && t.type === 'function' && typeof t.name === 'string')
        tools.push({
          type: 'function',
          function: { name: t.name, description: t.description, parameters: t.parameters ?? {} },
        })
      else tools.push(t) // built-in tools (web_search, file_search, ...) kept as sent
    }
  }
  return { messages, tools: tools.length > 0 ? tools : null }
}

function readUsage(u: unknown): ExchangeUsage | null {
  if (!isObject(u)) return null
  const details = isObject(u.input_tokens_details) ? u.input_tokens_details : {}
  return {
    promptTokens: num(u.input_tokens),
    completionTokens: num(u.output_tokens),
    cachedTokens: num(details.cached_tokens),
  }
}

const errorOf = (v: unknown): string => (isObject(v) ? str(v.message) : typeof v === 'string' ? v : '')

/** A whole `response` object (the JSON answer, or the one in `response.completed`) into `out`. */
function readResponse(body: Json, out: ParsedResponse): void {
  out.parsed = true
  if (typeof body.model === 'string' && body.model) out.model = body.model
  const usage = readUsage(body.usage)
  if (usage) out.usage = usage
  const err = errorOf(body.error)
  if (err) out.errorMessage = err
  const incomplete = isObject(body.incomplete_details) ? str(body.incomplete_details.reason) : ''
  out.finishReason = incomplete || str(body.status)
  if (!Array.isArray(body.output)) return
  const text: string[] = []
  const calls: ToolCall[] = []
  for (const item of body.output) {
    if (!isObject(item)) continue
    if (item.type === 'message') text.push(partsText(item.content))
    else if (item.type === 'function_call')
      calls.push({
        id: str(item.call_id) || str(item.id),
        name: str(item.name),
        arguments: str(item.arguments),
      })
  }
  out.responseText = text.join('')
  out.toolCalls = calls
}

const empty = (): ParsedResponse => ({
  model: null,
  responseText: '',
  toolCalls: [],
  finishReason: '',
  usage: null,
  errorMessage: '',
  parsed: false,
})

export function parseResponsesJson(bytes: Buffer): ParsedResponse {
  const out = empty()
  let body: unknown
  try {
    body = JSON.parse(bytes.toString('utf8'))
  } catch {
    return out
  }
  if (!isObject(body)) return out
  if (body.object === 'response' || Array.isArray(body.output)) readResponse(body, out)
  else if (body.error !== undefined) {
    out.parsed = true
    out.errorMessage = errorOf(body.error)
  }
  return out
}

/**
 * Typed events: the terminal `response.completed` / `.incomplete` / `.failed` carries the whole
 * response; a stream cut before it is rebuilt from the text and argument deltas that arrived.
 */
export function parseResponsesSse(bytes: Buffer): ParsedResponse {
  const out = empty()
  const text: string[] = []
  const calls = new Map<string, ToolCall>()
  let terminal: Json | null = null
  for (const data of sseData(bytes.toString('utf8'))) {
    let ev: unknown
    try {
      ev = JSON.parse(data)
    } catch {
      continue
    }
    if (!isObject(ev) || typeof ev.type !== 'string') continue
    out.parsed = true
    const type = ev.type
    if (type === 'response.output_text.delta') text.push(str(ev.delta))
    else if (type === 'response.output_item.added' || type === 'response.output_item.done') {
      const item = isObject(ev.item) ? ev.item : {}
      if (item.type === 'function_call') {
        const key = str(item.id) || String(ev.output_index)
        const prior = calls.get(key)
        calls.set(key, {
          id: str(item.call_id) || prior?.id || '',
          name: str(item.name) || prior?.name || '',
          arguments: type === 'response.output_item.done' ? str(item.arguments) : (prior?.arguments ?? ''),
        })
      }
    } else if (type === 'response.function_call_arguments.delta') {
      const key = str(ev.item_id) || String(ev.output_index)
      const call = calls.get(key) ?? { id: '', name: '', arguments: '' }
      call.arguments += str(ev.delta)
      calls.set(key, call)
    } else if (type === 'response.created' || type === 'response.in_progress') {
      const r = isObject(ev.response) ? ev.response : {}
      if (typeof r.model === 'string' && r.model) out.model = r.model
    } else if (
      type === 'response.completed' ||
      type === 'response.incomplete' ||
      type === 'response.failed'
    ) {
      if (isObject(ev.response)) terminal = ev.response
    } else if (type === 'error') {
      out.errorMessage = str(ev.message) || errorOf(ev.error)
    }
  }
  out.responseText = text.join('')
  out.toolCalls = [...calls.values()]
  if (terminal) {
    const streamed = out.errorMessage
    readResponse(terminal, out)
    if (!out.responseText) out.responseText = text.join('')
    if (streamed && !out.errorMessage) out.errorMessage = streamed
  }
  return out
}
