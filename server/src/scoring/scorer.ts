import type { ScoreValue } from '../exchange/score.ts'
import type { ScoreInput } from '../exchange/scorer-input.ts'

// The contract lives in exchange/; re-exported so scorers keep importing their one neighbour.
export type { ScoreRow, ScoreValue } from '../exchange/score.ts'
export type { DeclaredTool, ScoreInput, ScoreMessage } from '../exchange/scorer-input.ts'
export { parseMessages, parseTools, toScoreInput } from '../exchange/scorer-input.ts'

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
