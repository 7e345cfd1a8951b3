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
