import type { Endpoint, Source } from '../ingest/exchange.ts'
import { badRequest } from './errors.ts'
import { parseSources } from './leash-headers.ts'

export interface ParsedRequest {
  /** Bytes to send upstream: the original ones unless a `leash` field had to be removed. */
  forwardBody: Buffer
  model: string
  stream: boolean
  requestJson: string
  /** The declared `tools` array as JSON text, '' when the request has none. */
  toolsJson: string
  prompt: string
  bodySources: Source[] | null
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

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

/** Validates the body for `endpoint` and extracts what the record needs; throws a 400 GatewayError. */
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

  let requestJson: string
  let prompt: string
  if (endpoint === 'chat.completions') {
    const messages = body.messages
    if (!Array.isArray(messages) || messages.length === 0) {
      throw badRequest("'messages' must be a non-empty array", 'messages', 'missing_required_parameter')
    }
    requestJson = JSON.stringify(messages)
    prompt = lastUserText(messages)
  } else if (endpoint === 'completions') {
    if (body.prompt === undefined || body.prompt === null) {
      throw badRequest("you must provide a 'prompt'", 'prompt', 'missing_required_parameter')
    }
    requestJson = JSON.stringify(body.prompt)
    prompt = promptText(body.prompt)
  } else {
    if (body.input === undefined || body.input === null) {
      throw badRequest("you must provide an 'input'", 'input', 'missing_required_parameter')
    }
    requestJson = JSON.stringify(body.input)
    prompt = promptText(body.input)
  }

  let forwardBody = raw
  let bodySources: Source[] | null = null
  if ('leash' in body) {
    const leash = body.leash
    if (leash !== undefined && leash !== null && !isObject(leash)) {
      throw badRequest("'leash' must be an object", 'leash')
    }
    if (isObject(leash) && leash.sources !== undefined)
      bodySources = parseSources(leash.sources, 'leash.sources')
    delete body.leash
    forwardBody = Buffer.from(JSON.stringify(body))
  }
  const toolsJson = Array.isArray(body.tools) && body.tools.length > 0 ? JSON.stringify(body.tools) : ''
  return {
    forwardBody,
    model: body.model,
    stream: body.stream === true,
    requestJson,
    toolsJson,
    prompt,
    bodySources,
  }
}
