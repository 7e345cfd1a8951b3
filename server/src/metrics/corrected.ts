import type { ClickHouseClient } from '@clickhouse/client'
import type { Estimate, EstimateUsed } from '@leash/shared'
import { z } from 'zod'
import { defineQuery } from '../db/clickhouse/query.ts'
import type { Db } from '../db/postgres/index.ts'
import { labelRows } from '../labels/service.ts'
import { SCORE } from '../scoring/scorer.ts'
import { Z95 } from '../stats/normal.ts'
import { filterSql } from './sql.ts'
import type { SeriesPlan } from './stored.ts'
import type { MetricSeries, MetricValue, MetricWindowQuery } from './types.ts'

/** A series plan, or a window (no step: one bucket starting at `from`). */
type Plan = Pick<SeriesPlan, 'q' | 'groupBy'> & { m: { name: string }; stepMs?: number }

/**
 * Corrected rates: a binary scorer's raw rate, corrected with the human labels of a uniformly sampled
 * share of the same traffic (decision 018). Every exchange falls in a scorer cell by its numerator and
 * denominator indicators (a, b): b = 1 for a plain rate, b = "scored benign" for the false-refusal rate.
 * The labels give, per cell, the share that is truly in the numerator (A) and the denominator (B): the
 * scorer's predictive values, which carry its sensitivity and specificity. The corrected rate is
 *
 *   rate = sum_cells w_c * mean_L(A | c)  /  sum_cells w_c * mean_L(B | c)
 *
 * with w_c the traffic's share in cell c (a ratio estimator post-stratified on the scorer's verdict).
 * Its 95% interval (delta method) adds the labels' sampling variance to the traffic's. The cells are
 * estimated per group over the whole query range and applied to every bucket; below `MIN_LABELS`
 * labelled exchanges in a group, or `MIN_CELL_LABELS` in a cell that has traffic, the points stay raw and
 * say so (`estimate: "raw"`, `labels: n`).
 */

export const MIN_LABELS = 30

type LabelSet = Record<string, string>
interface BinarySpec {
  scores: string[]
  /** Exchanges that count (SQL over the score pivot v0/l0/h0, v1/…). */
  where: string
  a: string
  b: string
  /** Label names an exchange needs to enter the labelled sample. */
  need: string[]
  A: (l: LabelSet) => number
  B: (l: LabelSet) => number
}

const refusedLabel = (l: LabelSet) => (l.refusal === 'full' || l.refusal === 'partial' ? 1 : 0)
const isTrue = (name: string) => (l: LabelSet) => (l[name] === 'true' ? 1 : 0)
const plain = (score: string, label: string, a = 'v0 >= 0.5'): BinarySpec => ({
  scores: [score],
  where: 'h0',
  a,
  b: '1',
  need: [label],
  A: isTrue(label),
  B: () => 1,
})

const SPECS: Record<string, BinarySpec> = {
  refusal_rate: {
    ...plain(SCORE.refusal, 'refusal', "if(l0 = '', v0 >= 0.5, l0 IN ('full', 'partial'))"),
    A: refusedLabel,
  },
  full_refusal_rate: {
    ...plain(SCORE.refusal, 'refusal', "if(l0 = '', v0 >= 0.5, l0 = 'full')"),
    A: (l) => (l.refusal === 'full' ? 1 : 0),
  },
  false_refusal_rate: {
    scores: [SCORE.promptRisk, SCORE.falseRefusal],
    where: 'h0 AND h1',
    a: 'v0 < 0.5 AND v1 >= 0.5',
    b: 'v0 < 0.5',
    need: ['refusal', 'prompt_harmful'],
    A: (l) => (l.prompt_harmful === 'false' ? refusedLabel(l) : 0),
    B: (l) => (l.prompt_harmful === 'false' ? 1 : 0),
  },
  prompt_risk_rate: plain(SCORE.promptRisk, 'prompt_harmful'),
  violation_rate: plain(SCORE.violation, 'violation'),
  citation_support_rate: plain(SCORE.citationSupport, 'citation_supported'),
  unsupported_claim_rate: plain(SCORE.unsupportedClaims, 'unsupported_claim'),
}

/** The scores behind a correctable metric, the rows that count, and the label names a reviewer answers. */
export function metricScorers(
  metric: string,
): { scores: string[]; where: string; asks: string[] } | undefined {
  const spec = SPECS[metric]
  return spec && { scores: spec.scores, where: spec.where, asks: spec.need }
}

/** Whether labels can correct this metric. */
export function correctable(metric: string): boolean {
  return metric in SPECS
}

const num = z.union([z.number(), z.string()]).transform(Number)
const GroupRow = z
  .object({ n: num, sa: num, sb: num, sab: num, bucket_ms: num.optional() })
  .catchall(z.unknown())
const EventRow = z.object({ id: z.string(), a: num, b: num }).catchall(z.unknown())

interface Built {
  sql: string
  params: Record<string, unknown>
}

function unitSql(spec: BinarySpec, plan: Plan, perEvent: boolean, ids?: string[]): Built {
  const { q } = plan
  const params: Record<string, unknown> = {
    projectId: q.projectId,
    fromMs: q.from,
    toMs: q.to,
    snames: spec.scores,
  }
  const range = `time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`
  const idFilter = ids ? ' AND event_id IN {ids:Array(UUID)}' : ''
  if (ids) params.ids = ids
  const pivots = spec.scores
    .map((s, i) => {
      params[`s${i}`] = s
      return `argMaxIf(value, scored_at, name = {s${i}:String}) AS v${i}, argMaxIf(label, scored_at, name = {s${i}:String}) AS l${i}, countIf(name = {s${i}:String}) > 0 AS h${i}`
    })
    .join(', ')
  const dims = plan.groupBy.map((d) => `e.${d} AS d_${d}`)
  const bucket = plan.stepMs
    ? `intDiv(toUnixTimestamp64Milli(e.time), {stepMs:Int64}) * {stepMs:Int64} AS bucket_ms`
    : '{fromMs:Int64} AS bucket_ms'
  if (plan.stepMs) params.stepMs = plan.stepMs
  const keys = [...plan.groupBy.map((d) => `d_${d}`), ...(perEvent ? [] : ['bucket_ms'])]
  const inner = `SELECT ${[...dims, ...(perEvent ? ['toString(e.event_id) AS id'] : [bucket]), `toFloat64(${spec.a}) AS a`, `toFloat64(${spec.b}) AS b`].join(', ')}
  FROM e INNER JOIN sc ON sc.sc_event_id = e.event_id WHERE ${spec.where}`
  const sql = `WITH e AS (SELECT event_id, time, model, route, feature, policy_version, upstream FROM raw_responses_v1 FINAL
    WHERE project_id = {projectId:String} AND ${range}${idFilter}${filterSql(q.filters ?? {}, params, true)}),
  sc AS (SELECT event_id AS sc_event_id, ${pivots} FROM scores_v1 FINAL
    WHERE project_id = {projectId:String} AND ${range}${idFilter} AND name IN {snames:Array(String)} GROUP BY event_id)
${perEvent ? inner : `SELECT ${keys.join(', ')}, count() AS n, sum(a) AS sa, sum(b) AS sb, sum(a * b) AS sab FROM (${inner}) GROUP BY ${keys.join(', ')}`}`
  return { sql, params }
}

const groupStats = defineQuery({
  name: 'corrected_group_stats',
  params: z.custom<Built>(),
  row: GroupRow,
  sql: (b) => b,
})
const labelledUnits = defineQuery({
  name: 'corrected_labelled_units',
  params: z.custom<Built>(),
  row: EventRow,
  sql: (b) => b,
})

/** The scorer's (a, b) indicators of the given exchanges, with their group's dimension values. */
export async function scorerUnits(
  ch: ClickHouseClient,
  plan: Plan,
  ids: string[],
): Promise<Array<{ id: string; group: string; a: number; b: number }>> {
  const spec = SPECS[plan.m.name]
  if (!spec || ids.length === 0) return []
  const rows = await labelledUnits(ch)(unitSql(spec, plan, true, ids))
  return rows.map((r) => ({ id: r.id, group: keyOf(r, plan.groupBy), a: r.a, b: r.b }))
}

/** A label set's (A, B) indicators for a metric, or null when it lacks a value the metric needs. */
export function labelIndicators(metric: string, l: Record<string, string>): { A: number; B: number } | null {
  const spec = SPECS[metric]
  if (!spec?.need.every((n) => n in l)) return null
  return { A: spec.A(l), B: spec.B(l) }
}

/** The latest label per event and name in the window from one source, from the uniform sample only. */
async function uniformLabels(
  db: Db,
  plan: Plan,
  source: 'human' | 'judge' = 'human',
): Promise<Map<string, LabelSet>> {
  const rows = await labelRows(db, {
    projectId: plan.q.projectId,
    from: plan.q.from,
    to: plan.q.to,
    source,
  })
  const out = new Map<string, LabelSet>()
  // Newest first: the first value seen per (event, name) wins.
  for (const r of rows) {
    if (r.sample !== 'uniform') continue
    const set = out.get(r.eventId) ?? {}
    out.set(r.eventId, set)
    if (!(r.name in set)) set[r.name] = r.value
  }
  return out
}

/** Scorer cells: (numerator, denominator) indicator pairs; a = 1 implies b = 1 for every metric here. */
const CELLS = ['00', '01', '11'] as const
type Cell = (typeof CELLS)[number]
const cellOf = (a: number, b: number): Cell => (a >= 0.5 ? '11' : b >= 0.5 ? '01' : '00')

export interface Correction {
  labels: number
  /** Per scorer cell: labelled exchanges and the sums of their label indicators A, B and A*B. */
  cells: Record<Cell, { n: number; A: number; B: number; AB: number }>
  /** Scorer sensitivity and specificity for the numerator (reported; the estimator does not need them). */
  sensitivity: number | null
  specificity: number | null
}

/** Label statistics of a labelled sample: pairs of scorer (a, b) and label (A, B) indicators. */
export function correctionOf(units: Array<{ a: number; b: number; A: number; B: number }>): Correction {
  const cells = Object.fromEntries(CELLS.map((c) => [c, { n: 0, A: 0, B: 0, AB: 0 }])) as Correction['cells']
  for (const u of units) {
    const c = cells[cellOf(u.a, u.b)]
    c.n++
    c.A += u.A
    c.B += u.B
    c.AB += u.A * u.B
  }
  const pos = units.filter((u) => u.A === 1)
  const neg = units.filter((u) => u.A === 0)
  return {
    labels: units.length,
    cells,
    sensitivity: pos.length ? pos.filter((u) => u.a >= 0.5).length / pos.length : null,
    specificity: neg.length ? neg.filter((u) => u.a < 0.5).length / neg.length : null,
  }
}

/** Exchanges per scorer cell, from the sums of a, b and a*b over them. */
export function cellCounts(s: { n: number; sa: number; sb: number; sab: number }): Record<Cell, number> {
  return { '11': s.sab, '01': s.sb - s.sab, '00': s.n - s.sa - s.sb + s.sab }
}

/** Below this many labels in a scorer cell that has traffic, the cell's predictive values are not trusted. */
export const MIN_CELL_LABELS = 5

/**
 * The corrected rate with its 95% interval: the traffic's share in each scorer cell (from all exchanges)
 * times the labelled share of true positives in that cell (the scorer's predictive values), summed, for
 * the numerator and the denominator; their ratio. The variance (delta method) adds the labels' sampling
 * (with the finite-population correction against `total`, the group's exchanges per cell over the range)
 * to the traffic's. null when a cell with traffic has fewer than MIN_CELL_LABELS labels.
 */
export function correctedRate(
  bucket: { n: number; sa: number; sb: number; sab: number },
  c: Correction,
  total: Record<Cell, number> = cellCounts(bucket),
): { value: number; lo: number; hi: number } | null {
  const N = bucket.n
  if (N <= 0) return null
  const counts = cellCounts(bucket)
  let num = 0
  let den = 0
  let vNum = 0
  let vDen = 0
  let cov = 0
  for (const cell of CELLS) {
    const w = counts[cell] / N
    if (w <= 0) continue
    const l = c.cells[cell]
    if (l.n < MIN_CELL_LABELS) return null
    const pA = l.A / l.n
    const pB = l.B / l.n
    const pAB = l.AB / l.n
    // Variances from add-one shares, so a cell whose few labels all agree does not claim certainty.
    const sA = (l.A + 1) / (l.n + 2)
    const sB = (l.B + 1) / (l.n + 2)
    const fpc = Math.max(0, 1 - l.n / Math.max(total[cell], l.n))
    const d = l.n - 1
    num += w * pA
    den += w * pB
    vNum += ((w * w * (sA - sA * sA)) / d) * fpc + (w * pA * pA) / N
    vDen += ((w * w * (sB - sB * sB)) / d) * fpc + (w * pB * pB) / N
    cov += ((w * w * (pAB - pA * pB)) / d) * fpc + (w * pA * pB) / N
  }
  // The multinomial variance of the cell shares: Var(sum w p) = (sum w p^2 - (sum w p)^2) / N.
  vNum -= (num * num) / N
  vDen -= (den * den) / N
  cov -= (num * den) / N
  if (!(den > 0)) return null
  const theta = num / den
  const v = Math.max(0, (vNum - 2 * theta * cov + theta * theta * vDen) / (den * den))
  const half = Z95 * Math.sqrt(v)
  const clamp = (x: number) => Math.min(1, Math.max(0, x))
  return { value: clamp(theta), lo: clamp(theta - half), hi: clamp(theta + half) }
}

const keyOf = (row: Record<string, unknown>, groupBy: string[]) =>
  JSON.stringify(Object.fromEntries(groupBy.map((d) => [d, String(row[`d_${d}`] ?? '')])))

/**
 * Applies the labels to a raw series (from `queryMetricSeries`): every point gets `estimate` and `labels`;
 * with enough uniform labels in its group its value and interval are the corrected ones.
 */
export async function correctSeries(
  ctx: { ch: ClickHouseClient; db: Db },
  plan: Plan,
  raw: MetricSeries[],
  estimate: Estimate = 'corrected',
): Promise<MetricSeries[]> {
  const spec = SPECS[plan.m.name]
  const mark = (s: MetricSeries, labels: number) => ({
    ...s,
    points: s.points.map((p) => ({ ...p, estimate: 'raw' as EstimateUsed, labels })),
  })
  if (!spec) return raw.map((s) => mark(s, 0))
  const correctionsFrom = async (source: 'human' | 'judge') => {
    const labelled = await uniformLabels(ctx.db, plan, source)
    const ids = [...labelled].filter(([, l]) => spec.need.every((n) => n in l)).map(([id]) => id)
    const units = ids.length ? await labelledUnits(ctx.ch)(unitSql(spec, plan, true, ids)) : []
    const byGroup = new Map<string, Array<{ a: number; b: number; A: number; B: number }>>()
    for (const u of units) {
      const l = labelled.get(u.id) as LabelSet
      const k = keyOf(u, plan.groupBy)
      byGroup.set(k, [...(byGroup.get(k) ?? []), { a: u.a, b: u.b, A: spec.A(l), B: spec.B(l) }])
    }
    return new Map([...byGroup].map(([k, us]) => [k, correctionOf(us)]))
  }
  const corrections = await correctionsFrom('human')
  if (estimate === 'raw')
    return raw.map((s) => mark(s, corrections.get(JSON.stringify(s.labels))?.labels ?? 0))
  // A group with too few human labels may be corrected with the judge's labels instead: a separate
  // estimate (`corrected-judge`), never pooled with the human labels.
  const short = raw.some((s) => (corrections.get(JSON.stringify(s.labels))?.labels ?? 0) < MIN_LABELS)
  const judged = short ? await correctionsFrom('judge') : new Map<string, Correction>()
  const stats = await groupStats(ctx.ch)(unitSql(spec, plan, false))
  const statOf = new Map(stats.map((r) => [`${keyOf(r, plan.groupBy)}@${r.bucket_ms}`, r]))
  const totals = new Map<string, { n: number; sa: number; sb: number; sab: number }>()
  for (const r of stats) {
    const k = keyOf(r, plan.groupBy)
    const t = totals.get(k) ?? { n: 0, sa: 0, sb: 0, sab: 0 }
    totals.set(k, { n: t.n + r.n, sa: t.sa + r.sa, sb: t.sb + r.sb, sab: t.sab + r.sab })
  }
  return raw.map((s) => {
    const key = JSON.stringify(s.labels)
    const human = corrections.get(key)
    const judge = judged.get(key)
    const useJudge = (human?.labels ?? 0) < MIN_LABELS && (judge?.labels ?? 0) >= MIN_LABELS
    const c = useJudge ? judge : human
    const used: EstimateUsed = useJudge ? 'corrected-judge' : 'corrected'
    if (!c || c.labels < MIN_LABELS) return mark(s, human?.labels ?? 0)
    return {
      ...s,
      points: s.points.map((p) => {
        const st = statOf.get(`${key}@${p.t}`)
        const total = totals.get(key)
        const fixed = st && total && !p.insufficient ? correctedRate(st, c, cellCounts(total)) : null
        return fixed
          ? { ...p, ...fixed, estimate: used, labels: c.labels }
          : { ...p, estimate: 'raw' as EstimateUsed, labels: human?.labels ?? 0 }
      }),
    }
  })
}

/** A window's values (from `queryMetricWindow`) with their estimate, corrected like a one-bucket series. */
export async function correctWindow(
  ctx: { ch: ClickHouseClient; db: Db },
  q: MetricWindowQuery,
  raw: MetricValue[],
  estimate: Estimate = 'corrected',
): Promise<MetricValue[]> {
  if (!correctable(q.metric)) return raw
  const plan: Plan = { q, m: { name: q.metric }, groupBy: q.groupBy ?? [] }
  const series = await correctSeries(
    ctx,
    plan,
    raw.map(({ labels, ...v }) => ({ labels, points: [{ t: q.from, ...v }] })),
    estimate,
  )
  return series.map((s) => {
    const { t: _t, estimate: e, labels: used, ...v } = s.points[0] as MetricSeries['points'][number]
    return { labels: s.labels, ...v, estimate: e ?? 'raw', labelsUsed: used ?? 0 }
  })
}
