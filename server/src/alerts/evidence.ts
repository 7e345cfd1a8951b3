import type { MetricDimension } from '../metrics/types.ts'
import type { Observation } from './observation.ts'
import { type RuleConfig, ruleMetric } from './rule-config.ts'
import type { MetricSource } from './source.ts'

export interface Slice {
  dimension: MetricDimension
  labels: Record<string, string>
  value: number
  n: number
  /** Excess over the reference, weighted by samples: how much of the movement this slice carries. */
  contribution: number
  share: number
}

const SLICE_DIMENSIONS: MetricDimension[] = ['model', 'route', 'feature']

/** Whether higher values of the rule's metric are the bad direction. */
export function higherIsWorse(rule: RuleConfig, src: MetricSource): boolean {
  const s = rule.spec
  if (s.kind === 'threshold') return s.op === '>'
  if (s.kind === 'change') return s.direction !== 'down'
  if (s.kind === 'tradeoff') return s.b.direction === 'up'
  return src.describe(ruleMetric(s))?.better !== 'higher'
}

/** Evidence stored on an incident: figures, the slice driving the change and the worst example responses. */
export async function collectEvidence(src: MetricSource, rule: RuleConfig, obs: Observation, now: number) {
  const base = {
    kind: rule.spec.kind,
    metric: obs.metric,
    summary: obs.summary,
    value: obs.value,
    threshold: obs.threshold,
    clear: obs.clear,
    op: obs.op,
    interval: obs.lo !== null && obs.hi !== null ? [obs.lo, obs.hi] : null,
    n: obs.n,
    /** Rates of binary scorers: `corrected` / `corrected-judge` (with `labels` labels) or `raw`; else null. */
    estimate: obs.estimate ?? null,
    labels: obs.estimate ? (obs.labelsUsed ?? 0) : null,
    window: rule.window,
    from: obs.from,
    to: obs.to,
    current: obs.current ?? null,
    baseline: obs.baseline ?? null,
    extra: obs.extra ?? null,
    evaluatedAt: new Date(now).toISOString(),
  }
  if (rule.spec.kind === 'no_data') return { ...base, slice: null, examples: [] }
  const from = Date.parse(obs.from)
  const to = Date.parse(obs.to)
  const errors: string[] = []
  const [slice, examples] = await Promise.all([
    findSlice(src, rule, obs, from, to).catch((e: Error) => {
      errors.push(`slice: ${e.message}`)
      return null
    }),
    src
      .examples({ projectId: rule.projectId, metric: obs.metric, from, to, filters: obs.labels, limit: 5 })
      .catch((e: Error) => {
        errors.push(`examples: ${e.message}`)
        return []
      }),
  ])
  return { ...base, slice, examples, ...(errors.length ? { errors } : {}) }
}

async function findSlice(
  src: MetricSource,
  rule: RuleConfig,
  obs: Observation,
  from: number,
  to: number,
): Promise<Slice | null> {
  if (src.describe(obs.metric)?.dimensions === false) return null
  const worseUp = higherIsWorse(rule, src)
  const ref =
    obs.baseline?.value ?? (rule.spec.kind === 'threshold' ? obs.threshold : (obs.current?.value ?? null))
  if (ref === null) return null
  let best: Slice | null = null
  for (const dimension of SLICE_DIMENSIONS.filter((d) => !(d in obs.labels))) {
    const rows = await src.window({
      projectId: rule.projectId,
      metric: obs.metric,
      from,
      to,
      filters: obs.labels,
      groupBy: [dimension],
    })
    const usable = rows.filter((r) => !r.insufficient && r.value !== null)
    if (usable.length < 2) continue
    const scored = usable.map((r) => {
      const v = r.value as number
      return { r, v, c: (worseUp ? v - ref : ref - v) * r.n }
    })
    const total = scored.reduce((a, s) => a + Math.max(0, s.c), 0)
    for (const s of scored) {
      if (s.c <= 0 || (best && s.c <= best.contribution)) continue
      best = {
        dimension,
        labels: s.r.labels,
        value: s.v,
        n: s.r.n,
        contribution: s.c,
        share: total ? s.c / total : 0,
      }
    }
  }
  return best
}

export type Evidence = Awaited<ReturnType<typeof collectEvidence>>
