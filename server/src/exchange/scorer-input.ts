import { z } from 'zod'
import { type ExchangeRecord, Source, ToolCall } from './record.ts'

/** A chat message as scorers see it (content flattened to text). */
export const ScoreMessage = z.object({ role: z.string(), content: z.string() })
export type ScoreMessage = z.infer<typeof ScoreMessage>

/** A tool the request declared: `{ name, parameters }` where parameters is a JSON schema. */
export const DeclaredTool = z.object({ name: z.string(), parameters: z.unknown() })
export type DeclaredTool = z.infer<typeof DeclaredTool>

/**
 * What a scorer sees of one exchange. Built from an `ExchangeRecord` (pipeline) or from a JSONL line
 * (`leash score`), so scorers never depend on the gateway or on storage.
 */
export const ScoreInput = z.object({
  /** The last user turn (chat) or the prompt (completions). */
  prompt: z.string(),
  /** The whole conversation when known; empty for completions. */
  messages: z.array(ScoreMessage),
  response: z.string(),
  sources: z.array(Source),
  tools: z.array(DeclaredTool),
  toolCalls: z.array(ToolCall),
})
export type ScoreInput = z.infer<typeof ScoreInput>

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function flattenContent(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content
      .map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : ''))
      .filter(Boolean)
      .join('\n')
  }
  return ''
}

/** Chat messages from any value: entries without a string role are skipped, content is flattened. */
export function messagesFrom(value: unknown): ScoreMessage[] {
  if (!Array.isArray(value)) return []
  const out: ScoreMessage[] = []
  for (const m of value) {
    if (isObject(m) && typeof m.role === 'string')
      out.push({ role: m.role, content: flattenContent(m.content) })
  }
  return out
}

/** Declared tools from an OpenAI `tools` array; entries without a function name are skipped. */
export function toolsFrom(value: unknown): DeclaredTool[] {
  if (!Array.isArray(value)) return []
  const out: DeclaredTool[] = []
  for (const t of value) {
    const fn = isObject(t) ? t.function : undefined
    if (isObject(fn) && typeof fn.name === 'string')
      out.push({ name: fn.name, parameters: fn.parameters ?? {} })
  }
  return out
}

function parseJsonArray(json: string): unknown {
  if (!json) return []
  try {
    return JSON.parse(json)
  } catch {
    return []
  }
}

/** Parses the `messages` JSON the gateway kept; tolerant of anything (returns [] on garbage). */
export function parseMessages(json: string): ScoreMessage[] {
  return messagesFrom(parseJsonArray(json))
}

/** Parses the declared tools JSON (OpenAI `tools` array) into `{ name, parameters }`. */
export function parseTools(json: string): DeclaredTool[] {
  return toolsFrom(parseJsonArray(json))
}

/** Endpoints whose record keeps a chat-shaped `messages` array (Responses and Messages are normalised). */
const CHAT_LIKE = new Set(['chat.completions', 'responses', 'messages'])

export function toScoreInput(ex: ExchangeRecord): ScoreInput {
  return {
    prompt: ex.prompt,
    messages: CHAT_LIKE.has(ex.endpoint) ? messagesFrom(ex.request) : [],
    response: ex.responseText,
    sources: ex.sources,
    tools: toolsFrom(ex.tools),
    toolCalls: ex.toolCalls,
  }
}
