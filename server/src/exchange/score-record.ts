import type { Source, ToolCall } from './record.ts'
import { type DeclaredTool, messagesFrom, type ScoreInput, type ScoreMessage } from './scorer-input.ts'

/**
 * One offline scoring record (a `leash score` input line):
 * `{ id, messages | prompt, response, sources?: [{id, text, url?}], tools?, tool_calls? }`. `tools` and
 * `tool_calls` accept the OpenAI shapes (`{type, function: {...}}`) or the flat `{name, ...}` ones.
 */
export interface ScoreRecord {
  id: unknown
  input: ScoreInput
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function parseSources(v: unknown): Source[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new Error('"sources" must be an array of {id, text}')
  return v.map((s, i) => {
    if (!isObject(s) || typeof s.text !== 'string') throw new Error(`sources[${i}] needs a string "text"`)
    const id = typeof s.id === 'string' || typeof s.id === 'number' ? String(s.id) : String(i + 1)
    return typeof s.url === 'string' ? { id, text: s.text, url: s.url } : { id, text: s.text }
  })
}

function parseToolsField(v: unknown): DeclaredTool[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new Error('"tools" must be an array')
  return v.map((t, i) => {
    const fn = isObject(t) && isObject(t.function) ? t.function : t
    if (!isObject(fn) || typeof fn.name !== 'string') throw new Error(`tools[${i}] needs a function name`)
    return { name: fn.name, parameters: fn.parameters ?? {} }
  })
}

function parseToolCalls(v: unknown): ToolCall[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new Error('"tool_calls" must be an array')
  return v.map((c, i) => {
    const fn = isObject(c) && isObject(c.function) ? c.function : c
    if (!isObject(fn) || typeof fn.name !== 'string')
      throw new Error(`tool_calls[${i}] needs a function name`)
    const args = fn.arguments
    const id = isObject(c) && typeof c.id === 'string' ? c.id : `call_${i}`
    return { id, name: fn.name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) }
  })
}

/** Throws an Error saying what is wrong, for the caller to prefix with the line number. */
export function parseScoreRecord(line: string): ScoreRecord {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`)
  }
  if (!isObject(v)) throw new Error('expected a JSON object')
  const id = v.id ?? null
  const toolCalls = parseToolCalls(v.tool_calls)
  if (typeof v.response !== 'string' && !(v.response == null && toolCalls.length > 0)) {
    throw new Error('"response" must be a string')
  }
  let messages: ScoreMessage[] = []
  if (v.messages !== undefined) {
    if (!Array.isArray(v.messages)) throw new Error('"messages" must be an array of {role, content}')
    messages = messagesFrom(v.messages)
  }
  let prompt: string
  if (typeof v.prompt === 'string') prompt = v.prompt
  else if (messages.length > 0) prompt = [...messages].reverse().find((m) => m.role === 'user')?.content ?? ''
  else throw new Error('needs "messages" or "prompt"')
  return {
    id,
    input: {
      prompt,
      messages,
      response: typeof v.response === 'string' ? v.response : '',
      sources: parseSources(v.sources),
      tools: parseToolsField(v.tools),
      toolCalls,
    },
  }
}
