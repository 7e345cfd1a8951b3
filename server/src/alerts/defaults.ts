import type { AlertRuleInput } from '@leash/shared'
import { AlertRuleInput as AlertRuleSchema } from '@leash/shared'
import { alertRules, type Db } from '../db/postgres/index.ts'
import { toRow } from './rules.ts'

/**
 * Rules every new project starts with, one per failure the product promises to catch. Figures are
 * conservative on purpose: each breaches only when its confidence bound does (see docs/decisions/012).
 * Rules comparing with the past use `week_or_recent`: the previous 6 hours until a week of history
 * exists, then the same window last week, so a new install alerts from its first hours (decision 021).
 */
export const DEFAULT_RULES: Array<AlertRuleInput & { builtin: string }> = [
  {
    builtin: 'false-refusal-rate',
    name: 'False refusals above 5%',
    spec: { kind: 'threshold', metric: 'false_refusal_rate', op: '>', value: 0.05, clear: 0.045 },
    window: '15m',
    interval: '1m',
    severity: 'critical',
    for: 2,
    keepFiringFor: '2m',
  },
  {
    builtin: 'violation-refusal-tradeoff',
    name: 'Safety bought with refusals (violations down, false refusals up)',
    spec: {
      kind: 'tradeoff',
      a: { metric: 'violation_rate', direction: 'down', by: 0.01 },
      b: { metric: 'false_refusal_rate', direction: 'up', by: 0.02 },
      baseline: { type: 'week_or_recent', hours: 6 },
    },
    window: '1h',
    interval: '5m',
    severity: 'warning',
  },
  {
    builtin: 'error-budget-burn',
    name: 'Error budget burning fast (99% objective)',
    spec: { kind: 'burn_rate', metric: 'error_rate', objective: 0.99, factor: 14.4 },
    window: '1h',
    interval: '1m',
    severity: 'critical',
  },
  {
    builtin: 'latency-p95-change',
    name: 'Latency p95 up 50% on its baseline',
    spec: {
      kind: 'change',
      metric: 'latency_p95',
      mode: 'relative',
      direction: 'up',
      value: 0.5,
      clear: 0.25,
      baseline: { type: 'week_or_recent', hours: 6 },
    },
    window: '15m',
    interval: '1m',
    severity: 'warning',
    for: 2,
  },
  {
    builtin: 'completion-length-change',
    name: 'Answers 30% longer than their baseline (verbosity)',
    spec: {
      kind: 'change',
      metric: 'completion_tokens_mean',
      mode: 'relative',
      direction: 'up',
      value: 0.3,
      clear: 0.15,
      baseline: { type: 'week_or_recent', hours: 6 },
    },
    window: '15m',
    interval: '1m',
    severity: 'warning',
    for: 2,
  },
  {
    builtin: 'reward-length-correlation',
    name: 'Reward tracks length (verbosity hacking)',
    spec: { kind: 'threshold', metric: 'reward_length_correlation', op: '>', value: 0.5, clear: 0.3 },
    window: '1h',
    interval: '5m',
    severity: 'warning',
    for: 2,
  },
  {
    builtin: 'citation-support-drop',
    name: 'Citation support down 10 points on its baseline',
    spec: {
      kind: 'change',
      metric: 'citation_support_rate',
      mode: 'absolute',
      direction: 'down',
      value: 0.1,
      clear: 0.05,
      baseline: { type: 'week_or_recent', hours: 6 },
    },
    window: '15m',
    interval: '1m',
    severity: 'warning',
    for: 2,
  },
  {
    builtin: 'cost-per-request-change',
    name: 'Cost per request up 50% on its baseline',
    spec: {
      kind: 'change',
      metric: 'cost_per_request',
      mode: 'relative',
      direction: 'up',
      value: 0.5,
      clear: 0.25,
      baseline: { type: 'week_or_recent', hours: 6 },
    },
    window: '15m',
    interval: '1m',
    severity: 'warning',
    for: 2,
  },
  {
    // Process counters reach ClickHouse as ingest_health_v1 rows every 15 s; any drop in 5 minutes pages.
    builtin: 'records-dropped',
    name: 'Answered calls were not recorded',
    spec: { kind: 'threshold', metric: 'records_dropped', op: '>', value: 0 },
    window: '5m',
    interval: '1m',
    severity: 'critical',
  },
  {
    builtin: 'no-data',
    name: 'No traffic recorded for an hour',
    spec: { kind: 'no_data', metric: 'requests' },
    window: '1h',
    interval: '5m',
    severity: 'info',
  },
  {
    // Instrument health (issue 14): a new model or response style is when the scorer stops matching humans.
    builtin: 'refusal-scorer-agreement',
    name: 'Refusal scorer agreement with human labels below 80% (n >= 30)',
    spec: { kind: 'threshold', metric: 'refusal_scorer_accuracy', op: '<', value: 0.8, clear: 0.82 },
    window: '1d',
    interval: '15m',
    severity: 'warning',
    minSamples: 30,
    groupBy: ['model'],
  },
]

/** Seeds the default rules once per project (idempotent: keyed by project and builtin name). */
export async function ensureDefaultRules(db: Db, projectId: string): Promise<number> {
  const rows = DEFAULT_RULES.map(({ builtin, ...input }) => ({
    ...toRow(AlertRuleSchema.parse(input)),
    projectId,
    builtin,
  }))
  const inserted = await db
    .insert(alertRules)
    .values(rows)
    .onConflictDoNothing({ target: [alertRules.projectId, alertRules.builtin] })
    .returning({ id: alertRules.id })
  return inserted.length
}
