import type { MetricDefinition } from '@leash/shared'

export type Family = MetricDefinition['family']

export const FAMILY_LABEL: Record<Family, string> = {
  safety: 'Safety and refusal',
  usefulness: 'Usefulness',
  truth: 'Truth',
  cost_latency: 'Cost and latency',
  control: 'Control signals',
}

export const FAMILIES = Object.keys(FAMILY_LABEL) as Family[]

export const AGGREGATE_CI: Record<MetricDefinition['aggregate'], string> = {
  rate: 'share of samples; 95% Wilson interval',
  mean: 'mean; 95% normal interval',
  quantile: 'quantile; 95% interval from order statistics',
  sum: 'total; no interval',
  correlation: 'correlation; 95% Fisher-z interval',
  kappa: "Cohen's kappa; 95% large-sample interval",
}

export const BETTER_LABEL: Record<MetricDefinition['better'], string> = {
  higher: 'higher is better',
  lower: 'lower is better',
  none: 'neither direction is better on its own',
}

export function byFamily(items: MetricDefinition[]): Array<[Family, MetricDefinition[]]> {
  return FAMILIES.map((f) => [f, items.filter((m) => m.family === f)] as [Family, MetricDefinition[]]).filter(
    ([, list]) => list.length > 0,
  )
}

/** "model=gpt-4o · route=chat", or "all traffic" for the ungrouped series. */
export function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v === '' ? '(none)' : v}`)
  return parts.length ? parts.join(' · ') : 'all traffic'
}

/** Titles people read; the snake_case name stays the key (and shows in a tooltip). */
const TITLES: Record<string, string> = {
  refusal_rate: 'Refusals',
  false_refusal_rate: 'False refusals (benign prompts refused)',
  violation_rate: 'Policy violations',
  reward_mean: 'Reward (reward-model score)',
  citation_support_rate: 'Citations that support their claim',
  latency_p50: 'Latency, median',
  latency_p95: 'Latency, 95th percentile',
  cost_per_request: 'Cost per request',
  completion_tokens_mean: 'Answer length',
}

/** "False refusals (benign prompts refused) · % of samples, lower is better". */
export function metricTitle(def: Pick<MetricDefinition, 'name'>): string {
  const t = TITLES[def.name]
  if (t) return t
  const words = def.name.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** Unit and direction in words; reward says its scale, since its numbers mean nothing on their own. */
export function metricScale(
  def: Pick<MetricDefinition, 'name' | 'unit' | 'better'>,
  unitLabel: string,
): string {
  const scale = def.name.startsWith('reward') ? 'unbounded score, compare with your own past' : unitLabel
  return `${scale} · ${BETTER_LABEL[def.better]}`
}
