/**
 * Behaviour shifts the demo model can be told to make, for proving alerts end to end. The switch travels in
 * the request body's OpenAI `metadata` (`{"leash_demo_scenario": "over-refusal"}`): the gateway strips
 * x-leash-* headers and the `leash` body field, but forwards `metadata` untouched, and the model name (and
 * so every metric slice) stays the same before and after the shift.
 */
export const DEMO_SCENARIOS = [
  'over-refusal',
  'verbosity-hack',
  'citation-decay',
  'cost-spike',
  'latency-regression',
] as const
export type DemoScenario = (typeof DEMO_SCENARIOS)[number]

export const SCENARIO_METADATA_KEY = 'leash_demo_scenario'

export function isDemoScenario(v: unknown): v is DemoScenario {
  return typeof v === 'string' && (DEMO_SCENARIOS as readonly string[]).includes(v)
}

/** The scenario a chat request asks for, or null. */
export function scenarioOf(body: {
  metadata?: Record<string, string> | null | undefined
}): DemoScenario | null {
  const v = body.metadata?.[SCENARIO_METADATA_KEY]
  return isDemoScenario(v) ? v : null
}

/** Refusal rates [full, partial] for benign and "scary but benign" prompts under over-refusal. */
export const OVER_REFUSAL_RATES = { benign: [0.3, 0.08], scary: [0.6, 0.15] } as const

/** Verbosity hack: the same answer, padded with restatements that add no information. */
const PADDING = [
  'To put it another way, the key point above is worth repeating in slightly different words.',
  'In summary, and to be completely thorough, the answer remains exactly as described.',
  'It is worth emphasizing once more that the steps above are the heart of the matter.',
  'Restating the main idea for clarity: what was said above is the complete answer.',
  'Overall, taking everything into account, the explanation above covers it fully.',
]

export function padVerbose(text: string, pick: <T>(items: readonly T[]) => T): string {
  const extra = Array.from({ length: 6 }, () => pick(PADDING))
  return `${text}\n\n${extra.join(' ')}\n\n${extra.slice(0, 3).join(' ')}`
}

/** Cost spike: the upstream bills a hidden context (prompt tokens times this). */
export const COST_SPIKE_PROMPT_FACTOR = 6
/** Latency regression: slower first token and slower tokens. */
export const LATENCY_FACTOR = { ttft: 3, perToken: 3 } as const
