import { z } from 'zod'
import { badRequest } from './http-util.ts'
import type { JsonSchema } from './types.ts'

const ContentPart = z.object({ type: z.string(), text: z.string().optional() })

export const ChatMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  tool_call_id: z.string().optional(),
})
export type ChatMessage = z.infer<typeof ChatMessage>

export const DemoSource = z.object({ id: z.string(), text: z.string(), url: z.string().optional() })
export type DemoSource = z.infer<typeof DemoSource>

const Tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
})

export const ChatRequest = z.object({
  model: z.string().min(1),
  messages: z.array(ChatMessage).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
    ])
    .nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  leash: z.object({ sources: z.array(DemoSource).optional() }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
})
export type ChatRequest = z.infer<typeof ChatRequest>

export const CompletionRequest = z.object({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).min(1)]),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
})
export type CompletionRequest = z.infer<typeof CompletionRequest>

export const EmbeddingRequest = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number()), z.array(z.array(z.number()))]),
  dimensions: z.number().int().min(1).max(4096).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
})
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>

/** Validates a body and turns the first problem into an OpenAI-style 400 naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const param = issue?.path.join('.') ?? null
  throw badRequest(
    `Invalid request: ${param ? `'${param}': ` : ''}${issue?.message ?? 'invalid body'}.`,
    param || null,
  )
}

export function messageText(message: ChatMessage): string {
  const content = message.content
  if (typeof content === 'string') return content
  if (!content) return ''
  return content.map((part) => part.text ?? '').join('')
}

/** Reads the loose JSON schema of a declared tool into the subset the demo fills in. */
export function asJsonSchema(value: unknown): JsonSchema {
  if (typeof value !== 'object' || value === null) return {}
  const v = value as Record<string, unknown>
  const out: JsonSchema = {}
  const types = ['object', 'string', 'number', 'integer', 'boolean', 'array'] as const
  const type = types.find((t) => t === v.type)
  if (type) out.type = type
  if (Array.isArray(v.required)) out.required = v.required.filter((r): r is string => typeof r === 'string')
  if (Array.isArray(v.enum)) out.enum = v.enum.filter((r): r is string => typeof r === 'string')
  if (typeof v.properties === 'object' && v.properties !== null) {
    out.properties = Object.fromEntries(Object.entries(v.properties).map(([k, p]) => [k, asJsonSchema(p)]))
  }
  if (v.items !== undefined) out.items = asJsonSchema(v.items)
  return out
}
