import type { Rng } from './hash.ts'
import { hashString } from './hash.ts'
import type { DemoTool, JsonSchema } from './types.ts'

export interface DemoToolCall {
  id: string
  name: string
  arguments: string
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? []
}

/** The declared tool whose name and description share the most words with the prompt. */
export function chooseTool(prompt: string, tools: DemoTool[]): DemoTool | undefined {
  const promptWords = new Set(words(prompt))
  const hints: Record<string, string[]> = {
    weather: ['weather', 'rain', 'forecast', 'warm', 'wear', 'umbrella', 'cold', 'sunny'],
    calendar: ['schedule', 'book', 'meeting', 'calendar', 'appointment', 'reminder', 'sync', 'add', 'set'],
    search: ['search', 'find', 'look', 'news', 'reviews', 'latest', 'recipe', 'who'],
  }
  let best: DemoTool | undefined
  let bestScore = -1
  for (const tool of tools) {
    const own = words(`${tool.function.name} ${tool.function.description}`)
    const extra = Object.entries(hints).flatMap(([k, v]) => (own.includes(k) ? v : []))
    const score = [...own, ...extra].filter((w) => w.length > 2 && promptWords.has(w)).length
    if (score > bestScore) {
      best = tool
      bestScore = score
    }
  }
  return best
}

function stringValue(key: string, prompt: string, rng: Rng): string {
  const k = key.toLowerCase()
  if (/city|location|place/.test(k)) {
    const m = prompt.match(/\b(?:in|for) ([A-Z][a-z]+(?: [A-Z][a-z]+)?)/)
    return m?.[1] ?? prompt.match(/(?<!^)\b([A-Z][a-z]{2,})\b/)?.[1] ?? 'San Francisco'
  }
  if (/date/.test(k)) {
    const iso = prompt.match(/\d{4}-\d{2}-\d{2}/)?.[0]
    if (iso) return iso
    const day = 2 + ((WEEKDAYS.findIndex((d) => prompt.toLowerCase().includes(d)) + 7) % 7)
    return `2025-06-${String(day + rng.int(0, 1) * 7).padStart(2, '0')}`
  }
  if (/time/.test(k)) {
    const hhmm = prompt.match(/\b(\d{1,2}):(\d{2})\b/)
    if (hhmm) return `${(hhmm[1] ?? '9').padStart(2, '0')}:${hhmm[2]}`
    const ampm = prompt.match(/\b(\d{1,2})\s*(am|pm)\b/i)
    if (ampm)
      return `${String((Number(ampm[1]) % 12) + (ampm[2]?.toLowerCase() === 'pm' ? 12 : 0)).padStart(2, '0')}:00`
    return prompt.toLowerCase().includes('afternoon') ? '15:00' : '10:00'
  }
  const cleaned = prompt
    .replace(/^(search for|find|look up|schedule|book|add|set up|put)\s+/i, '')
    .replace(/[?.!]+$/, '')
  return /title|name|summary/.test(k) ? cleaned.slice(0, 60) : cleaned
}

function valueFor(key: string, schema: JsonSchema, prompt: string, rng: Rng): unknown {
  if (schema.enum && schema.enum.length > 0) return rng.pick(schema.enum)
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const n = prompt.match(/\b(\d{1,3})[- ](day|minute|result)/i)?.[1]
      return n ? Number(n) : rng.int(1, 7) * (/minute/.test(key) ? 15 : 1)
    }
    case 'boolean':
      return rng.chance(0.5)
    case 'array':
      return (prompt.match(/\b(?:with )?([A-Z][a-z]+) and ([A-Z][a-z]+)\b/)?.slice(1) ?? []).filter(Boolean)
    case 'object':
      return {}
    default:
      return stringValue(key, prompt, rng)
  }
}

/** Arguments that match the tool's schema, except now and then, as real models do. */
export function buildToolCall(prompt: string, tool: DemoTool, rng: Rng, seed: number): DemoToolCall {
  const schema = tool.function.parameters
  const required = new Set(schema.required ?? [])
  const args: Record<string, unknown> = {}
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (required.has(key) || rng.chance(0.5)) args[key] = valueFor(key, prop, prompt, rng)
  }
  let text = JSON.stringify(args)
  const flaw = rng.next()
  if (flaw < 0.04) text = text.slice(0, Math.max(1, text.length - rng.int(2, 8)))
  else if (flaw < 0.08 && required.size > 0)
    text = JSON.stringify({ ...args, [[...required][0] ?? '']: undefined })
  const id = `call_${hashString(`${prompt}|${tool.function.name}`, seed).toString(16).padStart(8, '0')}${rng.int(1000, 9999)}`
  return { id, name: tool.function.name, arguments: text }
}
