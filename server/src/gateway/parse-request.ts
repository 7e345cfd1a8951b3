import { isObject, type Json } from '../core/json.ts'
import type { Endpoint, Source } from '../exchange/record.ts'
import { messagesRequestShape } from './anthropic.ts'
import { badRequest } from './errors.ts'
import { parseSources } from './leash-headers.ts'
import { responsesRequestMessages } from './responses.ts'
import { estimateChatPromptTokens, estimateTokens } from './tokens.ts'

/** What the hot path needs from a request body; everything for the record is derived later. */
export interface ParsedRequest {
  /** The parsed body, `leash` field removed; never mutated after parsing. */
  body: Json
  /** Bytes to send upstream when no rewrite is needed: the original ones unless `leash` was removed. */
  raw: Buffer
  model: string
  stream: boolean
  /** A chat stream without `stream_options.include_usage`: Leash asks for usage and strips it again. */
  injectUsage: boolean
  bodySources: Source[] | null
}

/** Text of a message `content`: a string, or an array of parts whose text parts are joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const texts: string[] = []
  for (const part of content) {
    if (typeof part === 'string') texts.push(part)
    else if (isObject(part) && typeof part.text === 'string') texts.push(part.text)
  }
  return texts.join('\n')
}

function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (isObject(m) && m.role === 'user') return contentText(m.content)
  }
  return ''
}

function promptText(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt
  if (Array.isArray(prompt) && prompt.every((p) => typeof p === 'string')) return prompt.join('\n')
  return JSON.stringify(prompt)
}

/** Validates the body for `endpoint` and extracts what routing needs; throws a 400 GatewayError. */
export function parseRequest(endpoint: Endpoint, raw: Buffer): ParsedRequest {
  let body: unknown
  try {
    body = JSON.parse(raw.toString('utf8'))
  } catch {
    throw badRequest('We could not parse the JSON body of your request. Send a valid JSON object.')
  }
  if (!isObject(body)) throw badRequest('The request body must be a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') {
    throw badRequest("you must provide a 'model' string", 'model', 'missing_required_parameter')
  }
  if (endpoint === 'chat.completions') {
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      throw badRequest("'messages' must be a non-empty array", 'messages', 'missing_required_parameter')
    }
  } else if (endpoint === 'completions') {
    if (body.prompt === undefined || body.prompt === null) {
      throw badRequest("you must provide a 'prompt'", 'prompt', 'missing_required_parameter')
    }
  } else if (endpoint === 'messages') {
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      throw badRequest('messages: Field required', 'messages', 'missing_required_parameter')
    }
  } else if (endpoint === 'responses') {
    // `input` may be absent (a stored prompt or `previous_response_id`), but not of another type.
    if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input))
      throw badRequest("'input' must be a string or an array", 'input')
  } else if (body.input === undefined || body.input === null) {
    throw badRequest("you must provide an 'input'", 'input', 'missing_required_parameter')
  }

  let forward = raw
  let bodySources: Source[] | null = null
  if ('leash' in body) {
    const leash = body.leash
    if (leash !== undefined && leash !== null && !isObject(leash)) {
      throw badRequest("'leash' must be an object", 'leash')
    }
    if (isObject(leash) && leash.sources !== undefined)
      bodySources = parseSources(leash.sources, 'leash.sources')
    delete body.leash
    forward = Buffer.from(JSON.stringify(body))
  }
  const stream = body.stream === true
  const opts = body.stream_options
  // Checked, not silently replaced: Leash rewrites stream_options when it asks for usage.
  if (opts !== undefined && opts !== null) {
    if (!isObject(opts)) throw badRequest("'stream_options' must be an object", 'stream_options')
    if (opts.include_usage !== undefined && typeof opts.include_usage !== 'boolean')
      throw badRequest("'stream_options.include_usage' must be a boolean", 'stream_options.include_usage')
  }
  const injectUsage =
    endpoint === 'chat.completions' && stream && !(isObject(opts) && opts.include_usage === true)
  return { body, raw: forward, model: body.model, stream, injectUsage, bodySources }
}

/**
 * The bytes for one upstream: the original body, or a re-serialised copy when the upstream maps the
 * model name or Leash adds `stream_options.include_usage`.
 */
export function forwardBody(req: ParsedRequest, mappedModel: string | undefined): Buffer {
  if (!req.injectUsage && mappedModel === undefined) return req.raw
  const copy: Json = { ...req.body }
  if (mappedModel !== undefined) copy.model = mappedModel
  if (req.injectUsage) {
    const opts = isObject(req.body.stream_options) ? req.body.stream_options : {}
    copy.stream_options = { ...opts, include_usage: true }
  }
  return Buffer.from(JSON.stringify(copy))
}

/** The record's request fields, derived from the parsed body after the response has been sent. */
export interface RequestFields {
  /** `messages` (chat), `prompt` (completions) or `input` (embeddings): the value to store as JSON. */
  requestValue: unknown
  prompt: string
  tools: unknown[] | null
}

export function requestFields(endpoint: Endpoint, body: Json): RequestFields {
  if (endpoint === 'responses' || endpoint === 'messages') {
    const shaped = endpoint === 'responses' ? responsesRequestMessages(body) : messagesRequestShape(body)
    return { requestValue: shaped.messages, prompt: lastUserText(shaped.messages), tools: shaped.tools }
  }
  if (endpoint === 'chat.completions') {
    const messages = body.messages as unknown[]
    return {
      requestValue: messages,
      prompt: lastUserText(messages),
      tools: Array.isArray(body.tools) && body.tools.length > 0 ? body.tools : null,
    }
  }
  const value = endpoint === 'completions' ? body.prompt : body.input
  return { requestValue: value, prompt: promptText(value), tools: null }
}

/** Local prompt-token estimate, only computed when the upstream reported no usage. */
export function estimatePromptTokens(endpoint: Endpoint, body: Json, fields: RequestFields): number {
  if (endpoint === 'completions' || endpoint === 'embeddings') return estimateTokens(fields.prompt)
  // Chat-shaped for every chat-like endpoint (Responses and Messages are normalised in requestFields).
  const messages =
    endpoint === 'chat.completions' ? (body.messages as unknown[]) : (fields.requestValue as unknown[])
  return estimateChatPromptTokens(
    messages.map((m) =>
      isObject(m)
        ? {
            role: String(m.role ?? ''),
            text: contentText(m.content) || (m.tool_calls ? JSON.stringify(m.tool_calls) : ''),
          }
        : { role: '', text: '' },
    ),
  )
}
