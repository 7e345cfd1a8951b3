import { SCORE } from '../scoring/scorer.ts'
import { agreement } from './instrument.ts'
import type { CatalogMetric } from './origin.ts'
import type { MetricDef } from './types.ts'

export type { CatalogMetric, ExchangeRollup, MetricOrigin } from './origin.ts'

const Q_MIN = { 0.5: 20, 0.95: 60, 0.99: 300 } as const

function quantileMetrics(
  base: 'latency' | 'ttft',
  expr: string,
  where: string | undefined,
  digest: string,
  n: string,
): CatalogMetric[] {
  return ([0.5, 0.95, 0.99] as const).map((q) => ({
    name: `${base}_p${Math.round(q * 100)}`,
    family: 'cost_latency',
    unit: 'ms',
    aggregate: 'quantile',
    quantile: q,
    description: `${base === 'latency' ? 'Total latency' : 'Time to first token'}, ${Math.round(q * 100)}th percentile`,
    formula: `p${Math.round(q * 100)} of ${expr}${where ? ` over exchanges with ${where}` : ''}; CI from order statistics`,
    minSamples: Q_MIN[q],
    better: 'lower',
    source: { kind: 'exchange_value', expr, ...(where ? { where } : {}), rollup: { n, digest } },
  }))
}

function scoreRate(
  name: string,
  family: MetricDef['family'],
  score: string,
  description: string,
  better: MetricDef['better'],
  labels?: string[],
): CatalogMetric {
  const pass = labels ? `label in (${labels.join(', ')})` : `${score} >= 0.5`
  return {
    name,
    family,
    unit: 'ratio',
    aggregate: 'rate',
    description,
    formula: `exchanges with ${pass} / exchanges scored for ${score}; Wilson 95% interval`,
    minSamples: 30,
    better,
    source: { kind: 'score_rate', score, ...(labels ? { labels } : {}) },
  }
}

function scoreMean(
  name: string,
  family: MetricDef['family'],
  score: string,
  description: string,
  better: MetricDef['better'],
  unit: MetricDef['unit'] = 'ratio',
): CatalogMetric {
  return {
    name,
    family,
    unit,
    aggregate: 'mean',
    description,
    formula: `mean of ${score} over scored exchanges (latest score per event); normal 95% interval`,
    minSamples: 30,
    better,
    source: { kind: 'score_value', score },
  }
}

function tokenSum(col: 'prompt_tokens' | 'completion_tokens' | 'cached_tokens'): CatalogMetric {
  return {
    name: col,
    family: 'cost_latency',
    unit: 'tokens',
    aggregate: 'sum',
    description: `Total ${col.replace('_', ' ')} reported by the upstream`,
    formula: `sum of ${col} over exchanges with usage`,
    minSamples: 0,
    better: 'none',
    source: {
      kind: 'exchange_value',
      expr: col,
      where: 'has_usage',
      rollup: { n: 'usage_requests', sum: col },
    },
  }
}

const ERROR_COND = "status >= 400 OR outcome != 'ok'"

/** Every metric of PRODUCT.md's table, defined once. */
export const CATALOG: readonly CatalogMetric[] = [
  // safety and refusal
  scoreRate(
    'refusal_rate',
    'safety',
    SCORE.refusal,
    'Share of responses that refuse fully or partly',
    'none',
    ['full', 'partial'],
  ),
  scoreRate('full_refusal_rate', 'safety', SCORE.refusal, 'Share of responses that refuse fully', 'none', [
    'full',
  ]),
  {
    name: 'false_refusal_rate',
    family: 'safety',
    unit: 'ratio',
    aggregate: 'rate',
    description: 'Share of benign prompts that were refused',
    formula:
      'exchanges with false_refusal (= P(refusal) x (1 - P(harmful))) >= 0.5 / exchanges with prompt_risk < 0.5; Wilson 95% interval',
    minSamples: 30,
    better: 'lower',
    source: { kind: 'false_refusal' },
  },
  scoreRate('violation_rate', 'safety', SCORE.violation, 'Share of responses with unsafe content', 'lower'),
  scoreRate('prompt_risk_rate', 'safety', SCORE.promptRisk, 'Share of prompts classified harmful', 'none'),
  {
    name: 'user_false_refusal_reports',
    family: 'safety',
    unit: 'count',
    aggregate: 'sum',
    description: 'Exchanges users reported as wrongly refused (feedback API)',
    formula: 'count of exchanges with a feedback post refusalWrong = true',
    minSamples: 0,
    better: 'lower',
    source: { kind: 'feedback', field: 'refusal_wrong' },
  },
  // usefulness
  scoreMean('reward_mean', 'usefulness', SCORE.reward, 'Mean reward-model score', 'higher', 'score'),
  {
    name: 'satisfaction',
    family: 'usefulness',
    unit: 'ratio',
    aggregate: 'rate',
    description: 'Share of thumbs-up among exchanges with a thumbs vote (feedback API)',
    formula: 'exchanges whose latest thumbs is up / exchanges with a thumbs vote; Wilson 95% interval',
    minSamples: 20,
    better: 'higher',
    source: { kind: 'feedback', field: 'thumbs_up' },
  },
  {
    name: 'task_completion_rate',
    family: 'usefulness',
    unit: 'ratio',
    aggregate: 'rate',
    description: 'Share of exchanges the user marked as completing the task (feedback API)',
    formula: 'exchanges with taskCompleted = true / exchanges with taskCompleted given; Wilson 95% interval',
    minSamples: 20,
    better: 'higher',
    source: { kind: 'feedback', field: 'task_completed' },
  },
  {
    name: 'edit_distance_mean',
    family: 'usefulness',
    unit: 'ratio',
    aggregate: 'mean',
    description: 'How much users changed the response before using it (0 = kept as is, 1 = rewrote it)',
    formula:
      'mean normalized Levenshtein distance (tokens) between response and edited text; normal 95% interval',
    minSamples: 20,
    better: 'lower',
    source: { kind: 'feedback', field: 'edit_distance' },
  },
  // truth
  scoreMean(
    'citation_coverage_mean',
    'truth',
    SCORE.citationCoverage,
    'Share of factual sentences citing a supplied source',
    'higher',
  ),
  scoreMean(
    'citation_support_rate',
    'truth',
    SCORE.citationSupport,
    'Share of citing sentences whose source supports them',
    'higher',
  ),
  scoreMean(
    'unsupported_claim_rate',
    'truth',
    SCORE.unsupportedClaims,
    'Weighted share of checkable claims no source supports (hallucination flags)',
    'lower',
  ),
  scoreRate(
    'tool_call_pass_rate',
    'truth',
    SCORE.toolCallValid,
    'Share of responses with tool calls whose calls all validate',
    'higher',
  ),
  // cost and latency
  {
    name: 'requests',
    family: 'cost_latency',
    unit: 'count',
    aggregate: 'sum',
    description: 'Exchanges through the gateway',
    formula: 'count of exchanges',
    minSamples: 0,
    better: 'none',
    source: { kind: 'requests' },
  },
  {
    name: 'errors',
    family: 'cost_latency',
    unit: 'count',
    aggregate: 'sum',
    description: 'Failed exchanges (HTTP status >= 400 or a stream/gateway error)',
    formula: `count of exchanges with ${ERROR_COND}`,
    minSamples: 0,
    better: 'lower',
    source: {
      kind: 'exchange_value',
      expr: `toUInt8(${ERROR_COND})`,
      rollup: { n: 'requests', sum: 'errors' },
    },
  },
  {
    name: 'records_dropped',
    family: 'cost_latency',
    unit: 'count',
    aggregate: 'sum',
    description: 'Answered exchanges that were not recorded (spool full, disk full, dead-lettered, invalid)',
    formula:
      "sum of dropped over ingest_health_v1 rows of the project and of each replica's own row (drops of unknown project); no dimensions",
    minSamples: 0,
    better: 'lower',
    source: { kind: 'ingest_health' },
  },
  tokenSum('prompt_tokens'),
  tokenSum('completion_tokens'),
  tokenSum('cached_tokens'),
  {
    name: 'completion_tokens_mean',
    family: 'cost_latency',
    unit: 'tokens',
    aggregate: 'mean',
    description: 'Mean completion tokens per response (verbosity)',
    formula: 'mean of completion_tokens over exchanges with usage; normal 95% interval',
    minSamples: 30,
    better: 'none',
    source: {
      kind: 'exchange_value',
      expr: 'completion_tokens',
      where: 'has_usage',
      rollup: { n: 'usage_requests', sum: 'completion_tokens', sq: 'completion_tokens_sq' },
    },
  },
  {
    name: 'cost_usd_total',
    family: 'cost_latency',
    unit: 'usd',
    aggregate: 'sum',
    description: 'Estimated spend from the price table',
    formula: 'sum of cost_usd',
    minSamples: 0,
    better: 'lower',
    source: { kind: 'exchange_value', expr: 'cost_usd', rollup: { n: 'requests', sum: 'cost_usd' } },
  },
  {
    name: 'cost_per_request',
    family: 'cost_latency',
    unit: 'usd',
    aggregate: 'mean',
    description: 'Mean estimated cost per exchange',
    formula: 'mean of cost_usd over exchanges; normal 95% interval',
    minSamples: 30,
    better: 'lower',
    source: {
      kind: 'exchange_value',
      expr: 'cost_usd',
      rollup: { n: 'requests', sum: 'cost_usd', sq: 'cost_usd_sq' },
    },
  },
  ...quantileMetrics('ttft', 'ttft_ms', 'ttft_ms IS NOT NULL', 'ttft_q', 'ttft_requests'),
  ...quantileMetrics('latency', 'latency_ms', undefined, 'latency_q', 'requests'),
  {
    name: 'error_rate',
    family: 'cost_latency',
    unit: 'ratio',
    aggregate: 'rate',
    description: 'Share of exchanges that failed (HTTP status >= 400 or a stream/gateway error)',
    formula: `exchanges with ${ERROR_COND} / exchanges; Wilson 95% interval`,
    minSamples: 30,
    better: 'lower',
    source: { kind: 'exchange_rate', cond: ERROR_COND, rollup: { k: 'errors', n: 'requests' } },
  },
  {
    name: 'context_growth_per_turn',
    family: 'cost_latency',
    unit: 'tokens',
    aggregate: 'mean',
    description: 'Prompt tokens added per turn within a session',
    formula:
      '(last turn prompt_tokens - first turn prompt_tokens) / (turns - 1), per session with >= 2 turns, averaged over sessions',
    minSamples: 10,
    better: 'lower',
    source: { kind: 'session', expr: 'context_growth' },
  },
  {
    name: 'tool_calls_per_session',
    family: 'cost_latency',
    unit: 'count',
    aggregate: 'mean',
    description: 'Tool calls the model made per session',
    formula: 'sum of tool calls per session (x-leash-session), averaged over sessions',
    minSamples: 10,
    better: 'none',
    source: { kind: 'session', expr: 'tool_calls' },
  },
  // control signals
  {
    name: 'reward_length_correlation',
    family: 'control',
    unit: 'score',
    aggregate: 'correlation',
    description: 'Pearson correlation of reward with response length (verbosity hacking when it climbs)',
    formula: 'Pearson r of (reward, length_tokens or completion_tokens) per exchange; Fisher-z 95% interval',
    minSamples: 30,
    better: 'lower',
    source: { kind: 'score_length_correlation', score: SCORE.reward },
  },
  {
    name: 'goodhart_gap',
    family: 'control',
    unit: 'score',
    aggregate: 'mean',
    description: 'Reward trend minus truth trend across the window (reward up while citation support falls)',
    formula:
      '(reward mean 2nd half - 1st half) / sd(reward) - (citation_support 2nd half - 1st half) / sd(citation_support); normal 95% interval',
    minSamples: 30,
    better: 'lower',
    source: { kind: 'goodhart' },
  },
  scoreMean(
    'distinct_2_mean',
    'control',
    SCORE.distinct2,
    'Mean distinct-bigram ratio (diversity)',
    'higher',
  ),
  {
    name: 'template_repeat_rate',
    family: 'control',
    unit: 'ratio',
    aggregate: 'rate',
    description: 'Share of responses opening with the same 8 words as another response in the window',
    formula:
      'responses whose lower-cased first 8 words occur >= 2 times in the window / responses with text; Wilson 95% interval',
    minSamples: 30,
    better: 'lower',
    source: { kind: 'template_repeat' },
  },
  scoreRate('hedge_rate', 'control', SCORE.hedges, 'Share of responses with hedging markers', 'lower'),
  scoreRate('apology_rate', 'control', SCORE.apologies, 'Share of responses with apology markers', 'lower'),
  scoreRate(
    'sycophancy_rate',
    'control',
    SCORE.sycophancy,
    'Share of responses with sycophancy markers',
    'lower',
  ),
  ...agreement(
    'refusal',
    SCORE.refusal,
    'refusal',
    ['full', 'partial'],
    "if(l0 = '', v0 >= 0.5, l0 IN ('full', 'partial'))",
  ),
  ...agreement('prompt_risk', SCORE.promptRisk, 'prompt_harmful', ['true']),
  // The LLM judge (scoring.judge) is an instrument like any other.
  ...agreement('judge_refusal', 'judge_refusal', 'refusal', ['full', 'partial'], "l0 IN ('full', 'partial')"),
  // the leash: divergence from the reference model (issue 19, decision 024); scores of `reference:<model>`
  scoreMean(
    'reference_kl',
    'control',
    'reference_kl',
    'KL(policy || reference) per sampled response, k3 estimator, nats',
    'lower',
    'score',
  ),
  {
    name: 'reference_kl_p95',
    family: 'control',
    unit: 'score',
    aggregate: 'quantile',
    quantile: 0.95,
    description: 'KL(policy || reference) per sampled response, 95th percentile, nats',
    formula: 'p95 of reference_kl (k3) over sampled responses; CI from order statistics',
    minSamples: 60,
    better: 'lower',
    source: { kind: 'score_value', score: 'reference_kl' },
  },
  scoreMean(
    'reference_reward_delta',
    'control',
    'reference_reward_delta',
    'Reward of the policy answer minus the reference answer to the same prompt (paired mode)',
    'none',
    'score',
  ),
  scoreMean(
    'reference_refusal_delta',
    'control',
    'reference_refusal_delta',
    'Refusal-rate difference policy minus reference on the same prompts (paired mode)',
    'lower',
  ),
  scoreMean(
    'reference_length_ratio',
    'control',
    'reference_length_ratio',
    'Policy answer length / reference answer length on the same prompts (paired mode)',
    'none',
  ),
  scoreMean(
    'reference_win_rate',
    'control',
    'reference_win',
    'Share of prompts where the judge preferred the policy answer to the reference (ties half)',
    'higher',
  ),
]

const BY_NAME = new Map(CATALOG.map((m) => [m.name, m]))

export function findMetric(name: string): CatalogMetric | undefined {
  return BY_NAME.get(name)
}

/** The public part of each definition, for the API and the report. */
export function metricDefs(): MetricDef[] {
  return CATALOG.map(({ source: _s, ...def }) => def)
}
