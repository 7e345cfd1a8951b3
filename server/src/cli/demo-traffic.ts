import OpenAI from 'openai'
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions'
import { Rng } from '../demo/hash.ts'
import { demoPrompts } from '../demo/prompts.ts'
import { type DemoScenario, SCENARIO_METADATA_KEY } from '../demo/scenario.ts'
import { fakeToolResult, sendTurn, type TurnResult } from '../demo/traffic-call.ts'
import type { DemoPrompt } from '../demo/types.ts'

export type { DemoTrafficArgs } from '../demo/traffic-args.ts'
export { parseDemoTrafficArgs } from '../demo/traffic-args.ts'

export interface DemoTrafficOptions {
  /** Leash base URL, e.g. http://127.0.0.1:8787 (a trailing /v1 is accepted). */
  baseUrl: string
  apiKey: string
  count: number
  concurrency: number
  seed?: number
  /** Switches the demo model's behaviour for calls between shiftAt and recoverAt (shares of count). */
  scenario?: DemoScenario
  shiftAt?: number
  recoverAt?: number
  onProgress?: (done: number, total: number, failed: number) => void
}

export interface DemoTrafficSummary {
  sent: number
  ok: number
  failed: number
  streamed: number
  byCategory: Record<string, number>
  /** Calls sent with the scenario switched on. */
  shifted: number
  elapsedMs: number
}

const POLICY_VERSIONS = ['2025-05-a', '2025-05-a', '2025-05-a', '2025-06-b']

interface Conversation {
  prompt: DemoPrompt
  user: string
  session: string
  model: string
  policyVersion: string
}

const RETRIEVAL_PROMPTS = demoPrompts.filter((p) => (p.sources?.length ?? 0) > 0)

/**
 * A citation-decay run sends retrieval prompts only: about 1 in 11 demo prompts carries sources, and once the
 * decay drops two citations in three, that is far too few cited answers for citation_support_rate's minimum
 * sample (30); with every call a retrieval call, half of a default 300-call run gives about 48.
 */
function openConversation(rng: Rng, scenario: DemoScenario | undefined): Conversation {
  const retrieval = scenario === 'citation-decay'
  return {
    prompt: rng.pick(retrieval ? RETRIEVAL_PROMPTS : demoPrompts),
    user: `demo-user-${String(rng.int(1, 40)).padStart(3, '0')}`,
    session: `demo-sess-${rng.int(0, 0xffffff).toString(16).padStart(6, '0')}${rng.int(0, 0xffff).toString(16)}`,
    model: rng.chance(0.65) ? 'leash-demo-mini' : 'leash-demo-pro',
    policyVersion: rng.pick(POLICY_VERSIONS),
  }
}

function toolsOf(prompt: DemoPrompt): ChatCompletionTool[] | undefined {
  return prompt.tools?.map((t) => ({
    type: 'function',
    function: { ...t.function, parameters: { ...t.function.parameters } },
  }))
}

/**
 * Sends `count` calls of Leash's demo prompts through the gateway with `concurrency` workers.
 * Multi-turn prompts share a session; tool calls get a fake tool result as a follow-up turn.
 * A failed call is counted and the run goes on.
 */
export async function runDemoTraffic(opts: DemoTrafficOptions): Promise<DemoTrafficSummary> {
  const started = Date.now()
  const rng = new Rng(opts.seed ?? Math.floor(Math.random() * 2 ** 31))
  const root = opts.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
  const client = new OpenAI({ baseURL: `${root}/v1`, apiKey: opts.apiKey, maxRetries: 0, timeout: 60_000 })
  const summary: DemoTrafficSummary = {
    sent: 0,
    ok: 0,
    failed: 0,
    streamed: 0,
    byCategory: {},
    shifted: 0,
    elapsedMs: 0,
  }
  const shiftAt = Math.floor((opts.shiftAt ?? 0.5) * opts.count)
  const recoverAt =
    opts.recoverAt === undefined ? Number.POSITIVE_INFINITY : Math.floor(opts.recoverAt * opts.count)
  let remaining = opts.count

  const call = async (
    conv: Conversation,
    messages: ChatCompletionMessageParam[],
  ): Promise<TurnResult | null> => {
    remaining--
    const index = summary.sent
    summary.sent++
    const shifted = opts.scenario !== undefined && index >= shiftAt && index < recoverAt
    if (shifted) summary.shifted++
    const category = conv.prompt.category
    summary.byCategory[category] = (summary.byCategory[category] ?? 0) + 1
    const stream = rng.chance(0.4)
    if (stream) summary.streamed++
    try {
      const result = await sendTurn(client, {
        model: conv.model,
        messages,
        stream,
        tools: toolsOf(conv.prompt),
        ...(shifted && opts.scenario ? { metadata: { [SCENARIO_METADATA_KEY]: opts.scenario } } : {}),
        headers: {
          'x-leash-user': conv.user,
          'x-leash-session': conv.session,
          'x-leash-feature': conv.prompt.feature,
          'x-leash-policy-version': conv.policyVersion,
          ...(conv.prompt.sources
            ? { 'x-leash-sources': Buffer.from(JSON.stringify(conv.prompt.sources)).toString('base64') }
            : {}),
        },
      })
      summary.ok++
      return result
    } catch {
      summary.failed++
      return null
    } finally {
      opts.onProgress?.(summary.ok + summary.failed, opts.count, summary.failed)
    }
  }

  const runConversation = async (conv: Conversation): Promise<void> => {
    const system = withSources(conv.prompt.system, conv.prompt.sources)
    const messages: ChatCompletionMessageParam[] = system ? [{ role: 'system', content: system }] : []
    for (const turn of conv.prompt.turns) {
      if (remaining <= 0) return
      messages.push({ role: 'user', content: turn })
      const result = await call(conv, messages)
      if (!result) return
      messages.push(result.message)
      if (result.toolCalls.length > 0 && remaining > 0 && rng.chance(0.6)) {
        for (const tc of result.toolCalls)
          messages.push({ role: 'tool', tool_call_id: tc.id, content: fakeToolResult(tc.name, rng) })
        const followUp = await call(conv, messages)
        if (followUp) messages.push(followUp.message)
      }
    }
  }

  const worker = async (): Promise<void> => {
    while (remaining > 0) await runConversation(openConversation(rng, opts.scenario))
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.count)) }, worker))
  summary.elapsedMs = Date.now() - started
  return summary
}

/** A RAG app puts the retrieved sources into the prompt; `x-leash-sources` only tells Leash about them. */
function withSources(system: string | undefined, sources: DemoPrompt['sources']): string | undefined {
  if (!sources || sources.length === 0) return system
  const list = sources.map((src, i) => `[${i + 1}] ${src.text}`).join('\n')
  return `${system ?? 'Use the sources below.'}\n\nSources:\n${list}`
}
