import type { ExchangeRecord, Source, ToolCall } from '../ingest/exchange.ts'

/** One row of `scores_v1`: one (event, scorer, version, metric name). */
export interface ScoreRow {
  eventId: string
  projectId: string
  time: number
  scorer: string
  scorerVersion: string
  name: string
  value: number
  /** Empty string when the score has no label. */
  label: string
}

export interface ScoreValue {
  name: string
  value: number
  label?: string
}

/** A chat message as scorers see it (content flattened to text). */
export interface ScoreMessage {
  role: string
  content: string
}

/** A tool the request declared: `{ name, parameters }` where parameters is a JSON schema. */
export interface DeclaredTool {
  name: string
  parameters: unknown
}

/**
 * What a scorer sees of one exchange. Built from an `ExchangeRecord` (pipeline) or from a JSONL line
 * (`leash score`), so scorers never depend on the gateway or on storage.
 */
export interface ScoreInput {
  /** The last user turn (chat) or the prompt (completions). */
  prompt: string
  /** The whole conversation when known; empty for completions. */
  messages: ScoreMessage[]
  response: string
  sources: Source[]
  tools: DeclaredTool[]
  toolCalls: ToolCall[]
}

/**
 * A scorer judges a batch of exchanges. Scorers are pure: they know nothing of HTTP or storage, and a
 * scorer that throws (or rejects) loses its own scores for that batch, never the exchanges.
 * `scoreBatch` returns one array per input, in input order.
 */
export interface Scorer {
  readonly name: string
  readonly version: string
  scoreBatch(inputs: readonly ScoreInput[]): Promise<ScoreValue[][]> | ScoreValue[][]
  /** Releases models, sessions, sockets. */
  close?(): Promise<void>
}

/** Wraps a per-item synchronous scoring function as a `Scorer`. */
export function syncScorer(
  name: string,
  version: string,
  score: (input: ScoreInput) => ScoreValue[],
): Scorer & { score: (input: ScoreInput) => ScoreValue[] } {
  return { name, version, score, scoreBatch: (inputs) => inputs.map(score) }
}

function flattenContent(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content
      .map((p) =>
        p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string'
          ? (p as { text: string }).text
          : '',
      )
      .filter(Boolean)
      .join('\n')
  }
  return ''
}

/** Parses the `messages` JSON the gateway kept; tolerant of anything (returns [] on garbage). */
export function parseMessages(json: string): ScoreMessage[] {
  if (!json) return []
  try {
    const v: unknown = JSON.parse(json)
    if (!Array.isArray(v)) return []
    const out: ScoreMessage[] = []
    for (const m of v) {
      if (m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string') {
        out.push({
          role: (m as { role: string }).role,
          content: flattenContent((m as { content?: unknown }).content),
        })
      }
    }
    return out
  } catch {
    return []
  }
}

/** Parses the declared tools JSON (OpenAI `tools` array) into `{ name, parameters }`. */
export function parseTools(json: string): DeclaredTool[] {
  if (!json) return []
  try {
    const v: unknown = JSON.parse(json)
    if (!Array.isArray(v)) return []
    const out: DeclaredTool[] = []
    for (const t of v) {
      const fn = (t as { function?: { name?: unknown; parameters?: unknown } } | null)?.function
      if (fn && typeof fn.name === 'string') out.push({ name: fn.name, parameters: fn.parameters ?? {} })
    }
    return out
  } catch {
    return []
  }
}

export function toScoreInput(ex: ExchangeRecord): ScoreInput {
  return {
    prompt: ex.prompt,
    messages: ex.endpoint === 'chat.completions' ? parseMessages(ex.requestJson) : [],
    response: ex.responseText,
    sources: ex.sources,
    tools: parseTools(ex.toolsJson),
    toolCalls: ex.toolCalls,
  }
}

/**
 * Canonical score names written to `scores_v1.name`. Metrics, alerts and reports refer to these;
 * a scorer may write more (e.g. `violation_<category>`), but these meanings are fixed.
 * Probabilities and rates are in [0, 1].
 */
export const SCORE = {
  /** Reward-model score (unbounded real; higher is better). */
  reward: 'reward',
  /** Shadow reward model's score, for comparison. */
  rewardShadow: 'reward_shadow',
  /** P(response is a full or partial refusal); label full | partial | none. */
  refusal: 'refusal',
  /** P(prompt is harmful); label harmful | benign. */
  promptRisk: 'prompt_risk',
  /** P(refused a benign prompt) = refusal and not harmful; label yes | no. */
  falseRefusal: 'false_refusal',
  /** P(response is unsafe content), the max over categories; label = top category or none. */
  violation: 'violation',
  /** Share of factual sentences that cite a supplied source; only when sources were supplied. */
  citationCoverage: 'citation_coverage',
  /** Share of citing sentences whose cited source supports them. */
  citationSupport: 'citation_support',
  /** Share (weighted) of checkable claims no source supports; 0..1. */
  unsupportedClaims: 'unsupported_claims',
  /** 1 when every tool call parses and validates against its declared schema, else 0; only with tool calls. */
  toolCallValid: 'tool_call_valid',
  /** Response length in (approximate) tokens. */
  lengthTokens: 'length_tokens',
  hedges: 'hedges',
  apologies: 'apologies',
  sycophancy: 'sycophancy',
  /** Distinct bigrams / bigrams within the response. */
  distinct2: 'distinct_2',
} as const
