import type { ClickHouseClient } from '@clickhouse/client'
import type { Db } from '../db/postgres/index.ts'
import { type DriftTest, differenceTest } from '../drift/baseline.ts'
import { CATALOG, type CatalogMetric } from '../metrics/catalog.ts'
import {
  type ExampleResponse,
  queryEstimatedWindow,
  queryMetricWindow,
  sampleMetricValues,
  worstExamples,
} from '../metrics/query.ts'
import type { MetricDef, MetricValue } from '../metrics/types.ts'
import { ksTwoSample } from '../stats/ks.ts'
import { benjaminiHochberg } from '../stats/multiple-testing.ts'
import { alertsFired, type ReportAlerts } from './alerts.ts'
import { type IsoWeekRange, isoWeekOf } from './week.ts'

export interface Comparison {
  baseline: MetricValue
  delta: number | null
  relative: number | null
  test: DriftTest
  p: number | null
  /** Benjamini-Hochberg q-value over every test in the report. */
  pAdjusted: number | null
  significant: boolean
}

export type Verdict = 'better' | 'worse' | 'changed' | 'unchanged' | 'insufficient'

export interface ReportMetricRow {
  metric: string
  family: MetricDef['family']
  unit: MetricDef['unit']
  better: MetricDef['better']
  thisWeek: MetricValue
  lastWeek: Comparison
  pinned: Comparison | null
  verdict: Verdict
  /**
   * Rates of binary scorers: which estimate this week's figure is (the same as the series API and alert
   * rules: corrected with labels where they allow it), and the labels behind it. Absent otherwise.
   */
  estimate?: 'corrected' | 'corrected-judge' | 'raw'
  labels?: number
}

export interface ReportSlice {
  model: string
  route: string
  requests: number
  metrics: ReportMetricRow[]
  /** Responses behind the worst moves (or the lowest-reward ones when nothing got worse). */
  examples: Array<{ metric: string; items: ExampleResponse[] }>
}

export interface WeeklyReport {
  project: { id: string; name: string }
  week: string
  from: number
  to: number
  lastWeek: IsoWeekRange
  baseline: IsoWeekRange | null
  generatedAt: number
  guard: { method: 'benjamini-hochberg'; alpha: number; tests: number }
  slices: ReportSlice[]
  /** The opening paragraph, written from the numbers (set by the report service). */
  summary?: string[]
  /** Slices left out because none of their exchanges succeeded (a 404'd model name, an empty one). */
  errorOnlySlices: Array<{ model: string; route: string; requests: number }>
  /** Project-wide violation and false-refusal rates, week by week up to this one (oldest first). */
  tradeoff: TradeoffWeek[]
  alerts: ReportAlerts | null
}

export interface TradeoffWeek {
  week: string
  violation: MetricValue
  falseRefusal: MetricValue
}

export interface WeeklyReportInput {
  projectId: string
  projectName?: string
  week: IsoWeekRange
  /** A pinned baseline week, when the team has one. */
  baseline?: IsoWeekRange
  alpha?: number
  now?: number
  /** Most slices (model x route) reported, busiest first. */
  maxSlices?: number
  /** Weeks shown in the violation vs false-refusal trade-off (default 6, this one included). */
  tradeoffWeeks?: number
}

const WEEK = 7 * 86_400_000
const KS_SAMPLE = 5_000

/** Runs tasks with a small concurrency: the embedded engine serializes queries anyway. */
async function pool<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker))
  return out
}

const key = (labels: { model?: string; route?: string }) => `${labels.model ?? ''}\u0000${labels.route ?? ''}`

interface Pending {
  row: ReportMetricRow
  cmp: Comparison
}

async function compare(
  ch: ClickHouseClient,
  projectId: string,
  m: CatalogMetric,
  slice: { model: string; route: string },
  current: MetricValue,
  base: MetricValue | undefined,
  cur: { from: number; to: number },
  ref: { from: number; to: number },
): Promise<Comparison> {
  const baseline = base ?? {
    labels: current.labels,
    n: 0,
    value: null,
    lo: null,
    hi: null,
    insufficient: true,
  }
  const delta = current.value !== null && baseline.value !== null ? current.value - baseline.value : null
  const relative = delta !== null && baseline.value ? delta / Math.abs(baseline.value) : null
  const enough =
    !current.insufficient && !baseline.insufficient && current.n >= m.minSamples && baseline.n >= m.minSamples
  let ks: { d: number; p: number } | null = null
  if (enough && m.aggregate === 'quantile') {
    const filters = { model: slice.model, route: slice.route }
    const [a, b] = await Promise.all([
      sampleMetricValues(ch, { projectId, metric: m.name, ...ref, filters, limit: KS_SAMPLE }),
      sampleMetricValues(ch, { projectId, metric: m.name, ...cur, filters, limit: KS_SAMPLE }),
    ])
    const r = ksTwoSample(a, b)
    if (Number.isFinite(r.p)) ks = { d: r.d, p: r.p }
  }
  const t = enough ? differenceTest(m, current, baseline, ks) : { test: 'none' as const, p: null }
  return { baseline, delta, relative, test: t.test, p: t.p, pAdjusted: null, significant: false }
}

function verdictOf(row: ReportMetricRow): Verdict {
  if (row.thisWeek.insufficient) return 'insufficient'
  const c = row.lastWeek
  if (!c.significant || c.delta === null) return 'unchanged'
  if (row.better === 'none') return 'changed'
  return c.delta > 0 === (row.better === 'higher') ? 'better' : 'worse'
}

const NO_VALUE = { labels: {}, n: 0, value: null, lo: null, hi: null, insufficient: true }

/** Violation and false-refusal rates of the whole project for the `weeks` weeks ending with `week`. */
async function tradeoffTrend(
  ch: ClickHouseClient,
  projectId: string,
  week: IsoWeekRange,
  weeks: number,
): Promise<TradeoffWeek[]> {
  const ranges = Array.from({ length: weeks }, (_, i) => isoWeekOf(week.from - (weeks - 1 - i) * WEEK))
  return pool(ranges, 2, async (w) => {
    const range = { projectId, from: w.from, to: w.to }
    const [violation, falseRefusal] = await Promise.all([
      queryMetricWindow(ch, { ...range, metric: 'violation_rate' }),
      queryMetricWindow(ch, { ...range, metric: 'false_refusal_rate' }),
    ])
    return { week: w.week, violation: violation[0] ?? NO_VALUE, falseRefusal: falseRefusal[0] ?? NO_VALUE }
  })
}

/**
 * Per model and route: every catalog metric this week against last week and a pinned baseline, with
 * significance decided on BH-adjusted p over all the report's tests, the alerts that fired and examples.
 */
export async function buildWeeklyReport(
  deps: { ch: ClickHouseClient; db?: Db },
  input: WeeklyReportInput,
): Promise<WeeklyReport> {
  const { ch } = deps
  const alpha = input.alpha ?? 0.05
  const cur = { from: input.week.from, to: input.week.to }
  const lastWeek = isoWeekOf(input.week.from - WEEK)
  const groupBy: Array<'model' | 'route'> = ['model', 'route']
  const base = { projectId: input.projectId, groupBy }

  const requests = await queryMetricWindow(ch, { ...base, metric: 'requests', ...cur })
  const errors = new Map(
    (await queryMetricWindow(ch, { ...base, metric: 'errors', ...cur })).map((v) => [
      key(v.labels),
      v.value ?? 0,
    ]),
  )
  const succeeded = (r: MetricValue) => (r.value ?? 0) - (errors.get(key(r.labels)) ?? 0) > 0
  const errorOnlySlices = requests
    .filter((r) => (r.value ?? 0) > 0 && !succeeded(r))
    .map((r) => ({ model: r.labels.model ?? '', route: r.labels.route ?? '', requests: r.value ?? 0 }))
  const slices = requests
    .filter((r) => (r.value ?? 0) > 0 && succeeded(r))
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
    .slice(0, input.maxSlices ?? 12)
    .map((r) => ({ model: r.labels.model ?? '', route: r.labels.route ?? '', requests: r.value ?? 0 }))

  // Per-slice rows need dimensions; records_dropped has none (it is an alert, not a report row). The
  // instruments' agreement with labels is read on the metrics page and alerted on; the reference comparison
  // has its own section (reference-section.ts).
  const sliceable = CATALOG.filter(
    (m) =>
      m.source.kind !== 'ingest_health' &&
      m.source.kind !== 'label_agreement' &&
      !m.name.startsWith('reference_'),
  )
  // With the labels' database, rates of binary scorers read the corrected estimate where labels allow it
  // (metrics/corrected.ts), as the series API and the alert rules do; each row says which estimate it is.
  const db = deps.db
  const read = (q: Parameters<typeof queryMetricWindow>[1]) =>
    db ? queryEstimatedWindow({ ch, db }, q) : queryMetricWindow(ch, q)
  const perMetric = await pool(sliceable, 3, async (m) => {
    const [now, prev, pin] = await Promise.all([
      read({ ...base, metric: m.name, ...cur }),
      read({ ...base, metric: m.name, from: lastWeek.from, to: lastWeek.to }),
      input.baseline
        ? read({ ...base, metric: m.name, from: input.baseline.from, to: input.baseline.to })
        : Promise.resolve(null),
    ])
    return { m, now: new Map(now.map((v) => [key(v.labels), v])), prev, pin }
  })

  const pending: Pending[] = []
  const rowsBySlice = new Map<string, ReportMetricRow[]>()
  for (const { m, now, prev, pin } of perMetric) {
    const prevBy = new Map(prev.map((v) => [key(v.labels), v]))
    const pinBy = pin ? new Map(pin.map((v) => [key(v.labels), v])) : null
    await pool(slices, 3, async (s) => {
      const k = key(s)
      const empty = { n: 0, value: null, lo: null, hi: null, insufficient: true }
      const thisWeek: MetricValue = now.get(k) ?? { labels: { model: s.model, route: s.route }, ...empty }
      const last = await compare(ch, input.projectId, m, s, thisWeek, prevBy.get(k), cur, lastWeek)
      const pinned =
        pinBy && input.baseline
          ? await compare(ch, input.projectId, m, s, thisWeek, pinBy.get(k), cur, input.baseline)
          : null
      const row: ReportMetricRow = {
        metric: m.name,
        family: m.family,
        unit: m.unit,
        better: m.better,
        thisWeek: { ...thisWeek, labels: { model: s.model, route: s.route } },
        lastWeek: last,
        pinned,
        verdict: 'insufficient',
        ...(thisWeek.estimate ? { estimate: thisWeek.estimate, labels: thisWeek.labelsUsed ?? 0 } : {}),
      }
      pending.push({ row, cmp: last })
      if (pinned) pending.push({ row, cmp: pinned })
      rowsBySlice.set(k, [...(rowsBySlice.get(k) ?? []), row])
    })
  }

  // Multiple-testing guard over every test in the report.
  const q = benjaminiHochberg(pending.map((p) => p.cmp.p ?? Number.NaN))
  pending.forEach((p, i) => {
    const adj = q[i] as number
    p.cmp.pAdjusted = Number.isFinite(adj) ? adj : null
    p.cmp.significant = p.cmp.pAdjusted !== null && p.cmp.pAdjusted < alpha
  })
  const order = new Map(CATALOG.map((m, i) => [m.name, i]))
  const reportSlices: ReportSlice[] = await pool(slices, 2, async (s) => {
    const rows = (rowsBySlice.get(key(s)) ?? []).sort(
      (a, b) => (order.get(a.metric) ?? 0) - (order.get(b.metric) ?? 0),
    )
    for (const r of rows) r.verdict = verdictOf(r)
    const worse = rows
      .filter((r) => r.verdict === 'worse')
      .sort((a, b) => (a.lastWeek.pAdjusted ?? 1) - (b.lastWeek.pAdjusted ?? 1))
      .slice(0, 2)
    const targets = worse.length ? worse.map((r) => r.metric) : ['reward_mean']
    const examples = await Promise.all(
      targets.map(async (metric) => ({
        metric,
        items: await worstExamples(ch, {
          projectId: input.projectId,
          metric,
          ...cur,
          filters: { model: s.model, route: s.route },
          limit: 2,
        }),
      })),
    )
    return { ...s, metrics: rows, examples: examples.filter((e) => e.items.length > 0) }
  })

  return {
    project: { id: input.projectId, name: input.projectName ?? input.projectId },
    week: input.week.week,
    from: cur.from,
    to: cur.to,
    lastWeek,
    baseline: input.baseline ?? null,
    generatedAt: input.now ?? Date.now(),
    guard: { method: 'benjamini-hochberg', alpha, tests: pending.filter((p) => p.cmp.p !== null).length },
    slices: reportSlices,
    errorOnlySlices,
    tradeoff: await tradeoffTrend(ch, input.projectId, input.week, input.tradeoffWeeks ?? 6),
    alerts: deps.db ? await alertsFired(deps.db, input.projectId, cur.from, cur.to) : null,
  }
}
