import type { ClickHouseClient } from '@clickhouse/client'
import { LeashError } from '../errors.ts'
import { findMetric } from '../metrics/catalog.ts'
import { queryMetricWindow, sampleMetricValues } from '../metrics/query.ts'
import type { MetricDef, MetricFilters, MetricValue } from '../metrics/types.ts'
import { ksTwoSample } from '../stats/ks.ts'
import { Z95 } from '../stats/normal.ts'
import { correlationDiffZ, meanDiffZ, twoProportionZ } from '../stats/z-tests.ts'
import { binBoth, jsFromProportions, psiFromProportions } from './stats.ts'

export type BaselineSpec =
  | { kind: 'pinned'; from: number; to: number }
  | { kind: 'week_before' }
  | { kind: 'model'; model: string }

export interface CompareInput {
  projectId: string
  metric: string
  current: { from: number; to: number; filters?: MetricFilters }
  baseline: BaselineSpec
  /** Significance level before any multiple-testing adjustment (default 0.05). */
  alpha?: number
  /** Per-side minimum samples; default the metric's own minSamples (at least 1). */
  minSamples?: number
  /** Add PSI / Jensen-Shannon / KS over the per-exchange distribution when the metric has one (default true). */
  distribution?: boolean
}

export type DriftTest = 'two_proportion_z' | 'mean_z' | 'ks' | 'fisher_z' | 'none'

export interface DriftResult {
  metric: string
  test: DriftTest
  /** z for z-tests, D for KS; null when not tested. */
  statistic: number | null
  p: number | null
  /** p < alpha (before any multiple-testing adjustment; see adjustResults). */
  significant: boolean
  insufficient: boolean
  nCurrent: number
  nBaseline: number
  current: MetricValue
  baseline: MetricValue
  /** current - baseline of the metric value; null when either is null. */
  delta: number | null
  /** Relative change (delta / |baseline|); null when baseline is 0 or null. */
  relative: number | null
  psi: number | null
  js: number | null
  ks: { d: number; p: number } | null
  baselineWindow: { from: number; to: number; filters: MetricFilters }
}

const WEEK_MS = 7 * 86_400_000
const DISTRIBUTION_MIN = 30

/** The window and filters a baseline spec denotes for a given current window. */
export function baselineWindow(
  current: CompareInput['current'],
  spec: BaselineSpec,
): { from: number; to: number; filters: MetricFilters } {
  const filters = current.filters ?? {}
  switch (spec.kind) {
    case 'pinned':
      if (!(spec.to > spec.from))
        throw new LeashError('bad_request', 'pinned baseline: `to` must be after `from`')
      return { from: spec.from, to: spec.to, filters }
    case 'week_before':
      return { from: current.from - WEEK_MS, to: current.to - WEEK_MS, filters }
    case 'model':
      return { from: current.from, to: current.to, filters: { ...filters, model: spec.model } }
  }
}

function seFromCi(v: MetricValue): number | null {
  return v.lo !== null && v.hi !== null ? (v.hi - v.lo) / (2 * Z95) : null
}

/**
 * The test that fits a metric's aggregate: two-proportion z for rates, z on means, KS (given samples) for
 * quantiles, Fisher z for correlations; sums are not tested. Callers check minimum samples first.
 */
export function differenceTest(
  m: MetricDef,
  current: MetricValue,
  baseline: MetricValue,
  ks: { d: number; p: number } | null,
): { test: DriftTest; statistic: number | null; p: number | null } {
  const none = { test: 'none' as const, statistic: null, p: null }
  if (current.value === null || baseline.value === null) return none
  const out = (test: DriftTest, statistic: number, p: number) =>
    Number.isFinite(p) ? { test, statistic: Number.isFinite(statistic) ? statistic : null, p } : none
  switch (m.aggregate) {
    case 'rate': {
      const t = twoProportionZ(
        Math.round(baseline.value * baseline.n),
        baseline.n,
        Math.round(current.value * current.n),
        current.n,
      )
      return out('two_proportion_z', t.z, t.p)
    }
    case 'mean':
    case 'kappa': {
      const s1 = seFromCi(baseline)
      const s2 = seFromCi(current)
      if (s1 === null || s2 === null) return none
      const t = meanDiffZ(baseline.value, s1, current.value, s2)
      return out('mean_z', t.z, t.p)
    }
    case 'quantile':
      return ks ? out('ks', ks.d, ks.p) : none
    case 'correlation': {
      const t = correlationDiffZ(baseline.value, baseline.n, current.value, current.n)
      return out('fisher_z', t.z, t.p)
    }
    case 'sum':
      return none
  }
}

/**
 * Compares a metric in the current window against a baseline: rates by a two-proportion z-test, means by a
 * z-test on the means, quantiles by KS on the samples, correlations by Fisher z. PSI / JS / KS over the
 * per-exchange distribution are added when the metric has one. Below minimum samples nothing is significant.
 */
export async function compareToBaseline(ch: ClickHouseClient, input: CompareInput): Promise<DriftResult> {
  const m = findMetric(input.metric)
  if (!m) throw new LeashError('bad_request', `unknown metric '${input.metric}'`)
  const alpha = input.alpha ?? 0.05
  const base = baselineWindow(input.current, input.baseline)
  const curFilters = input.current.filters ?? {}
  const [cur, bl] = await Promise.all([
    queryMetricWindow(ch, {
      projectId: input.projectId,
      metric: m.name,
      from: input.current.from,
      to: input.current.to,
      filters: curFilters,
    }),
    queryMetricWindow(ch, {
      projectId: input.projectId,
      metric: m.name,
      from: base.from,
      to: base.to,
      filters: base.filters,
    }),
  ])
  const current = cur[0] as MetricValue
  const baseline = bl[0] as MetricValue
  const minN = Math.max(1, input.minSamples ?? m.minSamples)
  const insufficient =
    current.n < minN || baseline.n < minN || current.value === null || baseline.value === null
  const delta = current.value !== null && baseline.value !== null ? current.value - baseline.value : null
  const relative = delta !== null && baseline.value ? delta / Math.abs(baseline.value) : null

  let test: DriftTest = 'none'
  let statistic: number | null = null
  let p: number | null = null
  let psi: number | null = null
  let js: number | null = null
  let ks: { d: number; p: number } | null = null

  const wantsDistribution = input.distribution ?? true
  const samplable = ['score_rate', 'score_value', 'false_refusal', 'exchange_value'].includes(m.source.kind)
  // Quantiles are tested by KS, so they always need the samples; PSI/JS are extras for the rest.
  const needSamples = wantsDistribution || m.aggregate === 'quantile'
  if (needSamples && samplable && !(m.source.kind === 'exchange_value' && m.aggregate === 'sum')) {
    try {
      const [a, b] = await Promise.all([
        sampleMetricValues(ch, {
          projectId: input.projectId,
          metric: m.name,
          from: base.from,
          to: base.to,
          filters: base.filters,
        }),
        sampleMetricValues(ch, {
          projectId: input.projectId,
          metric: m.name,
          from: input.current.from,
          to: input.current.to,
          filters: curFilters,
        }),
      ])
      if (a.length >= DISTRIBUTION_MIN && b.length >= DISTRIBUTION_MIN) {
        const d = binBoth(a, b)
        psi = psiFromProportions(d.baseline, d.current)
        js = jsFromProportions(d.baseline, d.current)
        const k = ksTwoSample(a, b)
        ks = { d: k.d, p: k.p }
      }
    } catch (err) {
      if (!(err instanceof LeashError)) throw err
    }
  }

  if (!insufficient) {
    const r = differenceTest(m, current, baseline, ks)
    test = r.test
    statistic = r.statistic
    p = r.p
  }
  if (p !== null && !Number.isFinite(p)) p = null
  return {
    metric: m.name,
    test,
    statistic: statistic !== null && Number.isFinite(statistic) ? statistic : null,
    p,
    significant: !insufficient && p !== null && p < alpha,
    insufficient,
    nCurrent: current.n,
    nBaseline: baseline.n,
    current,
    baseline,
    delta,
    relative,
    psi,
    js,
    ks,
    baselineWindow: base,
  }
}
