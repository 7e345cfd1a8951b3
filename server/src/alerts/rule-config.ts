import { type AlertSpec, parseDuration } from '@leash/shared'
import type { alertRules } from '../db/postgres/index.ts'
import type { MetricDimension } from '../metrics/types.ts'

/** A stored rule with its durations parsed: what the evaluator works from. */
export interface RuleConfig {
  id: string
  projectId: string
  name: string
  severity: string
  spec: AlertSpec
  windowMs: number
  window: string
  intervalMs: number
  minSamples: number | null
  forN: number
  keepFiringForMs: number
  groupBy: MetricDimension[]
  runbookUrl: string | null
  channels: string[]
}

export function toRuleConfig(row: typeof alertRules.$inferSelect): RuleConfig {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    severity: row.severity,
    spec: row.spec,
    window: row.window,
    windowMs: parseDuration(row.window) ?? 300_000,
    intervalMs: parseDuration(row.interval) ?? 60_000,
    minSamples: row.minSamples,
    forN: row.forWindows,
    keepFiringForMs: parseDuration(row.keepFiringFor) ?? 0,
    groupBy: row.groupBy as MetricDimension[],
    runbookUrl: row.runbookUrl,
    channels: row.channels,
  }
}

/** The metric a rule is about (for evidence, slices and examples). */
export function ruleMetric(spec: AlertSpec): string {
  return spec.kind === 'tradeoff' ? spec.b.metric : spec.metric
}
