import type { Source } from '../exchange/record.ts'

export type DemoCategory =
  | 'everyday'
  | 'coding'
  | 'scary-benign'
  | 'harmful'
  | 'retrieval'
  | 'tool-use'
  | 'multi-turn'

/** JSON schema subset the demo model understands when it fills tool arguments. */
export interface JsonSchema {
  type?: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array'
  description?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  enum?: string[]
  items?: JsonSchema
}

export interface DemoTool {
  type: 'function'
  function: { name: string; description: string; parameters: JsonSchema }
}

export interface DemoPrompt {
  id: string
  category: DemoCategory
  /** The `x-leash-feature` tag the demo traffic sends with it. */
  feature: string
  /** User turns in order; more than one for multi-turn conversations. */
  turns: string[]
  system?: string
  sources?: Source[]
  tools?: DemoTool[]
}
