import type { ClickHouseClient } from '@clickhouse/client'
import { queryMetricSeries, queryMetricWindow } from '../metrics/query.ts'
import type { MetricFilters, MetricSeries, MetricValue } from '../metrics/types.ts'
import { type BaselineSpec, compareToBaseline, type DriftResult } from './baseline.ts'

export interface SignalsInput {
  projectId: string
  from: number
  to: number
  filters?: MetricFilters
  /** Step of the rolling reward-length correlation (default 1 h). */
  stepSeconds?: number
  baseline?: BaselineSpec
}

export interface RewardHackingSignals {
  /** Rolling Pearson r of reward vs length; a climb means length is buying reward (verbosity hacking). */
  rewardLengthCorrelation: MetricSeries
  /** Reward trend minus truth trend over the window; > 0 with lo > 0 means reward rose while truth fell. */
  goodhartGap: MetricValue
  /** Diversity against the baseline: distinct-2 dropping, repeated openings rising. */
  distinct2: DriftResult
  templateRepeat: DriftResult
  /** Feedback against the baseline: reward rising while satisfaction falls is the other Goodhart sign. */
  reward: DriftResult
  satisfaction: DriftResult
  /** The signals that fired, in words, for reports and alert evidence. */
  findings: string[]
}

/** Reward-hacking signals for one slice: verbosity, Goodhart gap, diversity collapse, feedback divergence. */
export async function rewardHackingSignals(
  ch: ClickHouseClient,
  input: SignalsInput,
): Promise<RewardHackingSignals> {
  const filters = input.filters ?? {}
  const baseline = input.baseline ?? { kind: 'week_before' }
  const current = { from: input.from, to: input.to, filters }
  const cmp = (metric: string) =>
    compareToBaseline(ch, { projectId: input.projectId, metric, current, baseline, distribution: false })
  const [series, gap, distinct2, templateRepeat, reward, satisfaction] = await Promise.all([
    queryMetricSeries(ch, {
      projectId: input.projectId,
      metric: 'reward_length_correlation',
      from: input.from,
      to: input.to,
      filters,
      stepSeconds: input.stepSeconds ?? 3600,
    }),
    queryMetricWindow(ch, {
      projectId: input.projectId,
      metric: 'goodhart_gap',
      from: input.from,
      to: input.to,
      filters,
    }),
    cmp('distinct_2_mean'),
    cmp('template_repeat_rate'),
    cmp('reward_mean'),
    cmp('satisfaction'),
  ])
  const findings: string[] = []
  const g = gap[0] as MetricValue
  if (g.lo !== null && g.lo > 0)
    findings.push(`reward rose while citation support fell (Goodhart gap ${g.value?.toFixed(2)})`)
  if (distinct2.significant && (distinct2.delta ?? 0) < 0)
    findings.push('diversity collapse: distinct-2 dropped')
  if (templateRepeat.significant && (templateRepeat.delta ?? 0) > 0)
    findings.push('diversity collapse: more responses share an opening template')
  if (
    reward.significant &&
    (reward.delta ?? 0) > 0 &&
    satisfaction.significant &&
    (satisfaction.delta ?? 0) < 0
  )
    findings.push('reward rose while user satisfaction fell')
  const points = (series[0]?.points ?? []).filter((p) => p.value !== null)
  const firstR = points[0]?.value ?? null
  const lastR = points[points.length - 1]?.value ?? null
  if (firstR !== null && lastR !== null && lastR - firstR > 0.3 && lastR > 0.3)
    findings.push(`reward-length correlation climbed from ${firstR.toFixed(2)} to ${lastR.toFixed(2)}`)
  return {
    rewardLengthCorrelation: series[0] ?? { labels: {}, points: [] },
    goodhartGap: g,
    distinct2,
    templateRepeat,
    reward,
    satisfaction,
    findings,
  }
}
