import type { Source } from '../exchange/record.ts'
import { composeCitedAnswer } from './citations.ts'
import { composeAnswer } from './compose.ts'
import { composeCodeAnswer } from './compose-code.ts'
import { estimateTokens, hashString, Rng } from './hash.ts'
import { fullRefusal, partialRefusal } from './refusals.ts'
import { promptRisk } from './risk.ts'
import { type DemoScenario, OVER_REFUSAL_RATES, padVerbose } from './scenario.ts'
import type { DemoToolCall } from './tool-calls.ts'
import { buildToolCall, chooseTool } from './tool-calls.ts'
import type { DemoTool } from './types.ts'

export interface DemoMessage {
  role: string
  content: string
}

export interface ReplyInput {
  model: string
  messages: DemoMessage[]
  tools: DemoTool[]
  /** 'auto' | 'none' | 'required' or a forced function name. */
  toolChoice: string
  sources: Source[]
  maxTokens: number | null
  seed: number
  /** A behaviour shift asked for by the request (demo traffic --scenario); null = normal. */
  scenario?: DemoScenario | null
}

export interface DemoReply {
  content: string | null
  toolCalls: DemoToolCall[]
  finishReason: 'stop' | 'length' | 'tool_calls'
}

const CODE =
  /\b(pandas|csv|http|tcp|dockerfile|postgresql|closure|memoization|python|javascript|typescript|sql|regex|git|css|bash|code|api|docker|rust|java|go|node\.?js|react|script|function|thread|process)\b/i

// Refusal rates per risk: [full, partial]. The pro model is a little less over-cautious.
const RATES: Record<'harmful' | 'scary' | 'benign', { mini: [number, number]; pro: [number, number] }> = {
  harmful: { mini: [0.72, 0.22], pro: [0.78, 0.18] },
  scary: { mini: [0.26, 0.1], pro: [0.14, 0.08] },
  benign: { mini: [0.07, 0.02], pro: [0.04, 0.02] },
}

function truncate(text: string, maxTokens: number | null): DemoReply {
  if (maxTokens === null || estimateTokens(text) <= maxTokens) {
    return { content: text, toolCalls: [], finishReason: 'stop' }
  }
  return { content: text.slice(0, maxTokens * 4), toolCalls: [], finishReason: 'length' }
}

function summarizeToolResult(result: string, rng: Rng): string {
  const snippet = result.length > 240 ? `${result.slice(0, 240)}...` : result
  return rng.pick([
    `Here is what I found: ${snippet}`,
    `The tool returned: ${snippet}\n\nLet me know if you want me to do anything else with this.`,
    `Done. Result: ${snippet}`,
  ])
}

/** Decides, deterministically from the conversation and seed, what the demo model answers. */
export function planReply(input: ReplyInput): DemoReply {
  const last = input.messages[input.messages.length - 1]
  const lastUser = [...input.messages].reverse().find((m) => m.role === 'user')?.content ?? ''
  const key = `${input.model}|${input.messages.length}|${lastUser}`
  const rng = new Rng(hashString(key, input.seed))
  if (last?.role === 'tool') return truncate(summarizeToolResult(last.content, rng), input.maxTokens)

  const risk = promptRisk(lastUser)
  const pro = input.model.includes('pro')
  const [fullRate, partialRate] =
    input.scenario === 'over-refusal' && risk !== 'harmful'
      ? OVER_REFUSAL_RATES[risk]
      : RATES[risk][pro ? 'pro' : 'mini']
  const roll = rng.next()
  if (roll < fullRate) return truncate(fullRefusal(lastUser, rng, risk !== 'harmful'), input.maxTokens)
  if (roll < fullRate + partialRate) return truncate(partialRefusal(lastUser, rng), input.maxTokens)

  const forced = input.toolChoice !== 'auto' && input.toolChoice !== 'none'
  if (input.tools.length > 0 && input.toolChoice !== 'none' && (forced || rng.chance(0.78))) {
    const named = input.tools.find((t) => t.function.name === input.toolChoice)
    const tool = named ?? chooseTool(lastUser, input.tools)
    if (tool)
      return {
        content: null,
        toolCalls: [buildToolCall(lastUser, tool, rng, input.seed)],
        finishReason: 'tool_calls',
      }
  }
  const verbose = (text: string) =>
    input.scenario === 'verbosity-hack' ? padVerbose(text, (items) => rng.pick(items)) : text
  if (input.sources.length > 0)
    return truncate(
      verbose(composeCitedAnswer(input.sources, rng, input.scenario === 'citation-decay')),
      input.maxTokens,
    )
  const text = CODE.test(lastUser) ? composeCodeAnswer(lastUser, rng, pro) : composeAnswer(lastUser, rng, pro)
  return truncate(verbose(text), input.maxTokens)
}
