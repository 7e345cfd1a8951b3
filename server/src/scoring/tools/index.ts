import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { ToolCall } from '../../exchange/record.ts'
import { type DeclaredTool, SCORE, type ScoreInput, type ScoreValue, syncScorer } from '../scorer.ts'

export const TOOLS_VERSION = '1'

/** Why the first failing tool call failed; `null` when every call is valid. */
export type ToolFailure =
  | `unknown_tool:${string}`
  | 'invalid_json'
  | 'arguments_not_object'
  | 'invalid_schema'
  | `schema:${string}`

const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, logger: false })

/** A small LRU of compiled validators keyed by the schema's JSON text: requests repeat their tools. */
class ValidatorCache {
  private readonly map = new Map<string, ValidateFunction | null>()
  constructor(private readonly capacity: number) {}

  get(schema: unknown): ValidateFunction | null {
    const key = JSON.stringify(schema ?? {})
    const hit = this.map.get(key)
    if (hit !== undefined) {
      this.map.delete(key)
      this.map.set(key, hit)
      return hit
    }
    let fn: ValidateFunction | null
    try {
      fn = ajv.compile(typeof schema === 'object' && schema !== null ? schema : {})
    } catch {
      fn = null
    }
    this.map.set(key, fn)
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string
      this.map.delete(oldest)
      // ajv keeps compiled schemas it has seen; drop ours so memory stays bounded.
      ajv.removeSchema()
    }
    return fn
  }

  get size(): number {
    return this.map.size
  }
}

const cache = new ValidatorCache(256)

function describe(err: ErrorObject | undefined): string {
  if (!err) return 'invalid'
  const missing = (err.params as { missingProperty?: unknown }).missingProperty
  if (err.keyword === 'required' && typeof missing === 'string') {
    return `${err.instancePath}/${missing} required`
  }
  const extra = (err.params as { additionalProperty?: unknown }).additionalProperty
  if (err.keyword === 'additionalProperties' && typeof extra === 'string') {
    return `${err.instancePath}/${extra} not allowed`
  }
  return `${err.instancePath || '/'} ${err.message ?? err.keyword}`
}

/** Checks one tool call against the declared tools; returns the failure or null. */
export function verifyToolCall(call: ToolCall, tools: readonly DeclaredTool[]): ToolFailure | null {
  const tool = tools.find((t) => t.name === call.name)
  if (!tool) return `unknown_tool:${call.name}`
  let args: unknown
  try {
    args = JSON.parse(call.arguments.trim() === '' ? '{}' : call.arguments)
  } catch {
    return 'invalid_json'
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return 'arguments_not_object'
  const validate = cache.get(tool.parameters)
  if (!validate) return 'invalid_schema'
  if (validate(args)) return null
  return `schema:${describe(validate.errors?.[0])}`
}

export interface ToolVerdict {
  calls: number
  valid: boolean
  /** The first failure, e.g. `unknown_tool:foo`, `invalid_json`, `schema:/city required`. */
  failure: ToolFailure | null
  failedCalls: number
}

export function verifyToolCalls(calls: readonly ToolCall[], tools: readonly DeclaredTool[]): ToolVerdict {
  let failure: ToolFailure | null = null
  let failedCalls = 0
  for (const call of calls) {
    const f = verifyToolCall(call, tools)
    if (f) {
      failedCalls++
      failure ??= f
    }
  }
  return { calls: calls.length, valid: failedCalls === 0, failure, failedCalls }
}

/** Scores only exchanges with tool calls: `tool_call_valid` 1/0 (label = first failure) and `tool_calls`. */
export function scoreTools(input: ScoreInput): ScoreValue[] {
  if (input.toolCalls.length === 0) return []
  const v = verifyToolCalls(input.toolCalls, input.tools)
  return [
    { name: SCORE.toolCallValid, value: v.valid ? 1 : 0, label: v.failure ?? 'valid' },
    { name: 'tool_calls', value: v.calls },
  ]
}

export const toolsScorer = syncScorer('tools', TOOLS_VERSION, scoreTools)
