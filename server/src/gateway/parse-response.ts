import { isObject, type Json, num, str } from '../core/json.ts'
import type { Endpoint, ExchangeUsage, ToolCall } from '../exchange/record.ts'
import { contentText } from './parse-request.ts'

export interface ParsedResponse {
  model: string | null
  responseText: string
  toolCalls: ToolCall[]
  finishReason: string
  usage: ExchangeUsage | null
  /** `error.message` from an error body or error event. */
  errorMessage: string
  /** False when the body (or every stream event) could not be parsed as JSON. */
  parsed: boolean
}

function readUsage(u: unknown): ExchangeUsage | null {
  if (!isObject(u)) return null
  const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {}
  return {
    promptTokens: num(u.prompt_tokens),
    completionTokens: num(u.completion_tokens),
    cachedTokens: num(details.cached_tokens),
  }
}

function firstChoice(body: Json): Json | null {
  if (!Array.isArray(body.choices)) return null
  const c =
    body.choices.find((x) => isObject(x) && (x.index === undefined || x.index === 0)) ?? body.choices[0]
  return isObject(c) ? c : null
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

/** An answer (or stream event) of the endpoint's shape, or an error: anything else is not an answer. */
function knownShape(endpoint: Endpoint, body: Json): boolean {
  if (body.error !== undefined || isObject(body.usage)) return true
  return endpoint === 'embeddings' ? Array.isArray(body.data) : Array.isArray(body.choices)
}

function errorMessageOf(body: Json): string {
  return isObject(body.error) ? str(body.error.message) : typeof body.error === 'string' ? body.error : ''
}

export function parseJsonResponse(endpoint: Endpoint, bytes: Buffer): ParsedResponse {
  const out = empty()
  let body: unknown
  try {
    body = JSON.parse(bytes.toString('utf8'))
  } catch {
    return out
  }
  if (!isObject(body) || !knownShape(endpoint, body)) return out
  out.parsed = true
  out.model = typeof body.model === 'string' ? body.model : null
  out.usage = readUsage(body.usage)
  out.errorMessage = errorMessageOf(body)
  if (endpoint === 'embeddings') return out
  const choice = firstChoice(body)
  if (!choice) return out
  out.finishReason = str(choice.finish_reason)
  if (endpoint === 'completions') {
    out.responseText = str(choice.text)
    return out
  }
  const message = isObject(choice.message) ? choice.message : {}
  out.responseText = contentText(message.content) || str(message.refusal)
  if (Array.isArray(message.tool_calls)) {
    for (const tc of message.tool_calls) {
      if (!isObject(tc)) continue
      const fn = isObject(tc.function) ? tc.function : {}
      out.toolCalls.push({ id: str(tc.id), name: str(fn.name), arguments: str(fn.arguments) })
    }
  }
  return out
}

/** Data payloads of an SSE stream, per the event-stream rules (multi-line data joined with `\n`). */
export function sseData(text: string): string[] {
  const events: string[] = []
  let data: string[] = []
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length > 0) events.push(data.join('\n'))
      data = []
    } else if (line.startsWith('data:')) {
      data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5))
    }
  }
  if (data.length > 0) events.push(data.join('\n'))
  return events
}

export function parseSseResponse(endpoint: Endpoint, bytes: Buffer): ParsedResponse {
  const out = empty()
  const text: string[] = []
  const calls = new Map<number, ToolCall>()
  for (const data of sseData(bytes.toString('utf8'))) {
    if (data === '[DONE]') continue
    let chunk: unknown
    try {
      chunk = JSON.parse(data)
    } catch {
      continue
    }
    if (!isObject(chunk) || !knownShape(endpoint, chunk)) continue
    out.parsed = true
    if (out.model === null && typeof chunk.model === 'string' && chunk.model) out.model = chunk.model
    const usage = readUsage(chunk.usage)
    if (usage) out.usage = usage
    const err = errorMessageOf(chunk)
    if (err) out.errorMessage = err
    const choice = firstChoice(chunk)
    if (!choice) continue
    if (typeof choice.finish_reason === 'string') out.finishReason = choice.finish_reason
    if (endpoint === 'completions') {
      text.push(str(choice.text))
      continue
    }
    const delta = isObject(choice.delta) ? choice.delta : {}
    if (typeof delta.content === 'string') text.push(delta.content)
    if (!Array.isArray(delta.tool_calls)) continue
    for (const d of delta.tool_calls) {
      if (!isObject(d)) continue
      const index = typeof d.index === 'number' ? d.index : calls.size
      const call = calls.get(index) ?? { id: '', name: '', arguments: '' }
      const fn = isObject(d.function) ? d.function : {}
      if (typeof d.id === 'string' && d.id) call.id = d.id
      if (typeof fn.name === 'string' && fn.name && !call.name) call.name = fn.name
      call.arguments += str(fn.arguments)
      calls.set(index, call)
    }
  }
  out.responseText = text.join('')
  out.toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c)
  return out
}
