import { isObject, type Json, num, str } from '../core/json.ts'
import type { ExchangeUsage, ToolCall } from '../exchange/record.ts'
import { type ParsedResponse, sseData } from './parse-response.ts'
import type { ChatShaped } from './responses.ts'

/**
 * The Anthropic Messages API (`POST /v1/messages`): `system` + `messages` (with `tool_use` and
 * `tool_result` blocks) normalised to chat-shaped messages and OpenAI-style tools for the record,
 * and the answer (JSON or `message_*` / `content_block_*` events) reassembled.
 */

function blocksText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const out: string[] = []
  for (const b of content)
    if (isObject(b) && b.type === 'text' && typeof b.text === 'string') out.push(b.text)
  return out.join('\n')
}

export function messagesRequestShape(body: Json): ChatShaped {
  const messages: Json[] = []
  const system = blocksText(body.system)
  if (system) messages.push({ role: 'system', content: system })
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(m) || typeof m.role !== 'string') continue
    const blocks = Array.isArray(m.content) ? m.content.filter(isObject) : []
    for (const b of blocks) {
      if (b.type === 'tool_result')
        messages.push({ role: 'tool', tool_call_id: str(b.tool_use_id), content: blocksText(b.content) })
    }
    const calls = blocks
      .filter((b) => b.type === 'tool_use')
      .map((b) => ({
        id: str(b.id),
        type: 'function',
        function: { name: str(b.name), arguments: JSON.stringify(b.input ?? {}) },
      }))
    const text = blocksText(m.content)
    if (text || calls.length > 0 || blocks.length === 0)
      messages.push(
        calls.length > 0
          ? { role: m.role, content: text, tool_calls: calls }
          : { role: m.role, content: text },
      )
  }
  const tools: unknown[] = []
  if (Array.isArray(body.tools)) {
    for (const t of body.tools) {
      if (isObject(t) && typeof t.name === 'string' && t.input_schema !== undefined)
        tools.push({
          type: 'function',
          function: { name: t.name, description: t.description, parameters: t.input_schema },
        })
      else tools.push(t) // server tools (web_search, ...) kept as sent
    }
  }
  return { messages, tools: tools.length > 0 ? tools : null }
}

/** Anthropic counts cache reads and writes apart from `input_tokens`; Leash's prompt count includes them. */
function readUsage(u: unknown, prior: ExchangeUsage | null): ExchangeUsage | null {
  if (!isObject(u)) return prior
  const read = num(u.cache_read_input_tokens)
  const input =
    u.input_tokens === undefined
      ? (prior?.promptTokens ?? 0)
      : num(u.input_tokens) + read + num(u.cache_creation_input_tokens)
  return {
    promptTokens: input,
    completionTokens: u.output_tokens === undefined ? (prior?.completionTokens ?? 0) : num(u.output_tokens),
    cachedTokens: u.cache_read_input_tokens === undefined ? (prior?.cachedTokens ?? 0) : read,
  }
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

const errorOf = (body: Json): string => (isObject(body.error) ? str(body.error.message) : '')

export function parseMessagesJson(bytes: Buffer): ParsedResponse {
  const out = empty()
  let body: unknown
  try {
    body = JSON.parse(bytes.toString('utf8'))
  } catch {
    return out
  }
  if (!isObject(body)) return out
  if (body.type === 'error') {
    out.parsed = true
    out.errorMessage = errorOf(body)
    return out
  }
  if (body.type !== 'message' && !Array.isArray(body.content)) return out
  out.parsed = true
  out.model = typeof body.model === 'string' ? body.model : null
  out.usage = readUsage(body.usage, null)
  out.finishReason = str(body.stop_reason)
  const content = Array.isArray(body.content) ? body.content : []
  out.responseText = blocksText(content)
  for (const b of content) {
    if (isObject(b) && b.type === 'tool_use')
      out.toolCalls.push({ id: str(b.id), name: str(b.name), arguments: JSON.stringify(b.input ?? {}) })
  }
  return out
}

export function parseMessagesSse(bytes: Buffer): ParsedResponse {
  const out = empty()
  const text: string[] = []
  const calls = new Map<number, ToolCall & { started: boolean }>()
  for (const data of sseData(bytes.toString('utf8'))) {
    let ev: unknown
    try {
      ev = JSON.parse(data)
    } catch {
      continue
    }
    if (!isObject(ev) || typeof ev.type !== 'string') continue
    out.parsed = true
    const index = num(ev.index)
    switch (ev.type) {
      case 'message_start': {
        const m = isObject(ev.message) ? ev.message : {}
        if (typeof m.model === 'string' && m.model) out.model = m.model
        out.usage = readUsage(m.usage, out.usage)
        break
      }
      case 'content_block_start': {
        const b = isObject(ev.content_block) ? ev.content_block : {}
        if (b.type === 'text' && typeof b.text === 'string') text.push(b.text)
        if (b.type === 'tool_use') {
          const input = isObject(b.input) && Object.keys(b.input).length > 0 ? JSON.stringify(b.input) : ''
          calls.set(index, { id: str(b.id), name: str(b.name), arguments: input, started: true })
        }
        break
      }
      case 'content_block_delta': {
        const d = isObject(ev.delta) ? ev.delta : {}
        if (d.type === 'text_delta') text.push(str(d.text))
        else if (d.type === 'input_json_delta') {
          const call = calls.get(index) ?? { id: '', name: '', arguments: '', started: false }
          call.arguments += str(d.partial_json)
          calls.set(index, call)
        }
        break
      }
      case 'message_delta': {
        const d = isObject(ev.delta) ? ev.delta : {}
        if (typeof d.stop_reason === 'string') out.finishReason = d.stop_reason
        out.usage = readUsage(ev.usage, out.usage)
        break
      }
      case 'error':
        out.errorMessage = errorOf(ev)
        break
    }
  }
  out.responseText = text.join('')
  out.toolCalls = [...calls.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, c]) => ({ id: c.id, name: c.name, arguments: c.arguments || '{}' }))
  return out
}
