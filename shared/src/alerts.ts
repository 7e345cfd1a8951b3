import { z } from 'zod'
import { Dimension } from './vocabulary.ts'

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const DURATION = /^(\d+)(s|m|h|d)$/

/** `"10s" | "5m" | "1h" | "1d"` to milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text)
  if (!m) return null
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/** A duration string of at least 10 seconds, so a rule can be exercised against live traffic in a minute. */
export const Duration = z
  .string()
  .regex(DURATION, 'must look like "10s", "5m", "1h" or "1d"')
  .refine((v) => (parseDuration(v) ?? 0) >= 10_000, 'must be at least 10s')
export type Duration = z.infer<typeof Duration>

/** Duration that may be zero ("0s"), e.g. keepFiringFor. */
export const OptionalDuration = z.string().regex(DURATION, 'must look like "0s", "10s", "5m", "1h" or "1d"')

export const AlertSeverity = z.enum(['critical', 'warning', 'info'])
export type AlertSeverity = z.infer<typeof AlertSeverity>

/** Dimensions an alert rule may group by (all but `upstream`). */
export const GroupLabel = Dimension.exclude(['upstream'])
export type GroupLabel = z.infer<typeof GroupLabel>

export const ComparisonOp = z.enum(['>', '<'])
export type ComparisonOp = z.infer<typeof ComparisonOp>

/**
 * Reference to compare against: a pinned window, the same window a week earlier, another model, or
 * `week_or_recent`: the week before wherever it has enough samples, otherwise the `hours` hours just
 * before the window, so a rule works on a new install from its first hours and moves to last week by itself.
 */
export const Baseline = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pinned'), from: z.coerce.date(), to: z.coerce.date() }),
  z.object({ type: z.literal('week_before') }),
  z.object({ type: z.literal('week_or_recent'), hours: z.number().int().min(1).max(72).default(6) }),
  z.object({ type: z.literal('model'), model: z.string().min(1) }),
])
export type Baseline = z.infer<typeof Baseline>

const metric = z.string().regex(/^[a-z][a-z0-9_]*$/, 'metric names are snake_case')

export const ThresholdSpec = z.object({
  kind: z.literal('threshold'),
  metric,
  op: ComparisonOp,
  value: z.number(),
  /** Hysteresis: clears only once the point estimate is back past this (default: `value`). */
  clear: z.number().optional(),
})

export const ChangeSpec = z.object({
  kind: z.literal('change'),
  metric,
  baseline: Baseline,
  /** absolute: value - baseline; relative: (value - baseline) / baseline; significance: two-sided p-value. */
  mode: z.enum(['absolute', 'relative', 'significance']),
  direction: z.enum(['up', 'down', 'either']).default('up'),
  /** Change that counts as a breach (absolute/relative), or the significance level alpha. */
  value: z.number().positive(),
  clear: z.number().nonnegative().optional(),
})

export const DriftSpec = z.object({
  kind: z.literal('drift'),
  metric,
  statistic: z.enum(['psi', 'js', 'ks']),
  baseline: Baseline,
  value: z.number().positive(),
  clear: z.number().nonnegative().optional(),
})

const TradeoffLeg = z.object({
  metric,
  direction: z.enum(['up', 'down']),
  /** Absolute move beyond which this leg counts (e.g. 0.02 = 2 points for a rate). */
  by: z.number().positive(),
})

/** "Both are failure": metric `a` moves one way while `b` moves the other, beyond bounds. */
export const TradeoffSpec = z.object({
  kind: z.literal('tradeoff'),
  a: TradeoffLeg,
  b: TradeoffLeg,
  baseline: Baseline,
})

/** Multi-window burn rate against an objective (Google SRE workbook): both windows must burn too fast. */
export const BurnRateSpec = z.object({
  kind: z.literal('burn_rate'),
  /** A "bad event" rate metric, e.g. error_rate. */
  metric,
  /** Objective, e.g. 0.99: the error budget is 1 - objective. */
  objective: z.number().gt(0).lt(1),
  /** Burn-rate factor that breaches (14.4 = a 30-day budget gone in 2 days). */
  factor: z.number().positive(),
  /** Short confirmation window (default: the rule window / 12, at least 10s). */
  shortWindow: Duration.optional(),
})

export const NoDataSpec = z.object({
  kind: z.literal('no_data'),
  /** Metric whose rows must keep arriving; default `requests`. */
  metric: metric.default('requests'),
})

export const AlertSpec = z.discriminatedUnion('kind', [
  ThresholdSpec,
  ChangeSpec,
  DriftSpec,
  TradeoffSpec,
  BurnRateSpec,
  NoDataSpec,
])
export type AlertSpec = z.infer<typeof AlertSpec>
export type AlertKind = AlertSpec['kind']

export const AlertRuleInput = z.object({
  project: z.string().optional(),
  name: z.string().trim().min(1).max(200),
  spec: AlertSpec,
  window: Duration.default('5m'),
  interval: Duration.default('1m'),
  severity: AlertSeverity.default('warning'),
  /** Below this many samples the rule is InsufficientData (never zero); default: the metric's own minimum. */
  minSamples: z.number().int().positive().optional(),
  /** Consecutive bad evaluations before Pending becomes Firing. */
  for: z.number().int().min(1).max(100).default(1),
  keepFiringFor: OptionalDuration.default('0s'),
  groupBy: z.array(GroupLabel).max(4).default([]),
  /** http(s) only: the alert page renders it as a link, so a `javascript:` URL would run in an operator's session. */
  runbookUrl: z.url({ protocol: /^https?$/, error: 'runbookUrl must be an http(s) URL' }).optional(),
  channels: z.array(z.uuid()).default([]),
  enabled: z.boolean().default(true),
})
export type AlertRuleInput = z.input<typeof AlertRuleInput>
export type AlertRuleParsed = z.output<typeof AlertRuleInput>

export const AlertRule = AlertRuleInput.omit({ project: true }).extend({
  id: z.string(),
  projectId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type AlertRule = z.infer<typeof AlertRule>

export const InstanceState = z.enum([
  'Normal',
  'Pending',
  'Firing',
  'Recovering',
  'InsufficientData',
  'EvalError',
])
export type InstanceState = z.infer<typeof InstanceState>

export const IncidentState = z.enum(['open', 'acknowledged', 'resolved'])
export type IncidentState = z.infer<typeof IncidentState>

export const AlertsQuery = z.object({
  project: z.string().optional(),
  /** `firing` = open (not acknowledged, not resolved). */
  state: z.enum(['firing', 'acknowledged', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})
export type AlertsQuery = z.infer<typeof AlertsQuery>

export const ResolveInput = z.object({ note: z.string().trim().min(1).max(5_000) })
export const SnoozeInput = z.union([
  z.object({ until: z.coerce.date() }),
  z.object({ untilWorse: z.literal(true) }),
])
export type SnoozeInput = z.infer<typeof SnoozeInput>

export const ChannelInput = z.discriminatedUnion('kind', [
  z.object({
    project: z.string().optional(),
    kind: z.literal('webhook'),
    name: z.string().trim().min(1).max(200),
    config: z.object({ url: z.url(), secret: z.string().min(16).optional() }),
  }),
  z.object({
    project: z.string().optional(),
    kind: z.literal('slack'),
    name: z.string().trim().min(1).max(200),
    /** Incoming webhook URL; with `botToken` + `channel`, updates are threaded via chat.postMessage. */
    config: z.object({
      url: z.url(),
      botToken: z.string().min(1).optional(),
      channel: z.string().min(1).optional(),
      apiUrl: z.url().optional(),
    }),
  }),
  z.object({
    project: z.string().optional(),
    kind: z.literal('pagerduty'),
    name: z.string().trim().min(1).max(200),
    /** `url` overrides the Events v2 endpoint (default from LEASH_PAGERDUTY_URL). */
    config: z.object({ routingKey: z.string().min(1), url: z.url().optional() }),
  }),
])
export type ChannelInput = z.infer<typeof ChannelInput>
