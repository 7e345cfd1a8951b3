import { type AlertSpec, type Baseline, parseDuration } from '@leash/shared'
import type { MetricFilters, MetricValue } from '../metrics/types.ts'
import { Z95 } from '../stats/normal.ts'
import { labelsKey } from './fingerprint.ts'
import { formatCi, formatFigure } from './format.ts'
import type { Figure, Observation } from './observation.ts'
import type { RuleConfig } from './rule-config.ts'
import type { MetricSource } from './source.ts'
import { change } from './stats.ts'

const WEEK_MS = 7 * 86_400_000
const NO_DATA_LOOKBACK_MS = 86_400_000
type Spec<K extends AlertSpec['kind']> = Extract<AlertSpec, { kind: K }>

interface Ctx {
  src: MetricSource
  rule: RuleConfig
  from: number
  to: number
}

const iso = (ms: number) => new Date(ms).toISOString()
const figure = (v: MetricValue): Figure => ({ value: v.value, lo: v.lo, hi: v.hi, n: v.n })

/** Evaluates a rule over [now - window, now) into one observation per label set. */
export async function judge(src: MetricSource, rule: RuleConfig, now: number): Promise<Observation[]> {
  const ctx: Ctx = { src, rule, from: now - rule.windowMs, to: now }
  const spec = rule.spec
  switch (spec.kind) {
    case 'threshold':
      return judgeThreshold(ctx, spec)
    case 'change':
      return judgeChange(ctx, spec)
    case 'drift':
      return judgeDrift(ctx, spec)
    case 'tradeoff':
      return judgeTradeoff(ctx, spec)
    case 'burn_rate':
      return judgeBurnRate(ctx, spec)
    case 'no_data':
      return judgeNoData(ctx, spec)
  }
}

export function baselineRange(
  b: Baseline,
  from: number,
  to: number,
): { from: number; to: number; filters: MetricFilters } {
  if (b.type === 'pinned')
    return { from: new Date(b.from).getTime(), to: new Date(b.to).getTime(), filters: {} }
  if (b.type === 'week_before' || b.type === 'week_or_recent')
    return { from: from - WEEK_MS, to: to - WEEK_MS, filters: {} }
  return { from, to, filters: { model: b.model } }
}

interface BaselineValue {
  value: MetricValue
  from: number
  to: number
  /** Which reference was used, in words (shown with the evidence). */
  label: string
}

const HOUR_MS = 3_600_000

/**
 * The baseline value of each group. `week_or_recent` takes the week before where it has enough samples
 * and the `hours` hours just before the window elsewhere (a new install has no last week yet).
 */
async function baselineValues(ctx: Ctx, metric: string, b: Baseline): Promise<Map<string, BaselineValue>> {
  const r = baselineRange(b, ctx.from, ctx.to)
  const week = await grouped(ctx, metric, r.from, r.to, r.filters)
  const label =
    b.type === 'pinned' ? 'pinned window' : b.type === 'model' ? `model ${b.model}` : 'same window last week'
  const out = new Map<string, BaselineValue>()
  for (const [k, v] of week) out.set(k, { value: v, from: r.from, to: r.to, label })
  if (b.type !== 'week_or_recent') return out
  // A week of history on every group: the recent hours are not needed (one query, as with week_before).
  if (week.size > 0 && [...week.values()].every((v) => enough(ctx, metric, v))) return out
  const recentFrom = ctx.from - b.hours * HOUR_MS
  const recent = await grouped(ctx, metric, recentFrom, ctx.from)
  for (const [k, v] of recent) {
    if (enough(ctx, metric, out.get(k)?.value)) continue
    out.set(k, {
      value: v,
      from: recentFrom,
      to: ctx.from,
      label: `previous ${b.hours} h (no week of history yet)`,
    })
  }
  return out
}

function minSamples(ctx: Ctx, metric: string): number {
  return ctx.rule.minSamples ?? ctx.src.describe(metric)?.minSamples ?? 1
}

type Sufficient = MetricValue & { value: number }
const enough = (ctx: Ctx, metric: string, v: MetricValue | undefined): v is Sufficient =>
  !!v && !v.insufficient && v.value !== null && v.n >= minSamples(ctx, metric)

async function grouped(ctx: Ctx, metric: string, from = ctx.from, to = ctx.to, filters: MetricFilters = {}) {
  const groupBy = ctx.rule.groupBy.filter((d) => !(d in filters))
  const rows = await ctx.src.window({
    projectId: ctx.rule.projectId,
    metric,
    from,
    to,
    filters,
    groupBy: groupBy.length ? groupBy : undefined,
  })
  return new Map(rows.map((r) => [labelsKey(r.labels), r]))
}

/** Which estimate a rate is: corrected with N labels, or raw (metrics/corrected.ts). */
const estimateNote = (r: MetricValue) =>
  r.estimate === 'corrected'
    ? `, corrected with ${r.labelsUsed} labels`
    : r.estimate === 'corrected-judge'
      ? `, corrected with ${r.labelsUsed} judge labels`
      : r.estimate === 'raw'
        ? ', raw'
        : ''

function blank(ctx: Ctx, metric: string, labels: Record<string, string>, threshold: number, op: '>' | '<') {
  return {
    labels,
    outcome: 'insufficient' as const,
    metric,
    value: null,
    lo: null,
    hi: null,
    n: 0,
    threshold,
    clear: threshold,
    op,
    from: iso(ctx.from),
    to: iso(ctx.to),
    summary: `${metric}: insufficient data`,
  }
}

async function judgeThreshold(ctx: Ctx, spec: Spec<'threshold'>): Promise<Observation[]> {
  const rows = await grouped(ctx, spec.metric)
  const clear = spec.clear ?? spec.value
  return [...rows.values()].map((r) => {
    const o = blank(ctx, spec.metric, r.labels, spec.value, spec.op)
    if (!enough(ctx, spec.metric, r)) return { ...o, n: r.n, clear }
    const v = r.value
    // Breached only when the whole confidence interval is past the threshold; cleared on the point estimate.
    const bad = spec.op === '>' ? (r.lo ?? v) > spec.value : (r.hi ?? v) < spec.value
    const good = spec.op === '>' ? v <= clear : v >= clear
    const ci = formatCi(spec.metric, r.lo, r.hi)
    const rel = bad ? spec.op : good ? (spec.op === '>' ? '<=' : '>=') : '~'
    return {
      ...o,
      outcome: bad ? 'bad' : good ? 'good' : 'hold',
      value: v,
      lo: r.lo,
      hi: r.hi,
      n: r.n,
      clear,
      current: figure(r),
      ...(r.estimate ? { estimate: r.estimate, labelsUsed: r.labelsUsed ?? 0 } : {}),
      summary: `${spec.metric} ${formatFigure(spec.metric, v)} ${rel} ${formatFigure(spec.metric, spec.value)} (${ci ? `${ci}, ` : ''}n=${r.n}${estimateNote(r)})`,
    }
  })
}

/** A change signed so that positive = the direction the rule watches. */
function directed(x: number, direction: 'up' | 'down' | 'either'): number {
  return direction === 'up' ? x : direction === 'down' ? -x : Math.abs(x)
}

async function judgeChange(ctx: Ctx, spec: Spec<'change'>): Promise<Observation[]> {
  const [cur, base] = await Promise.all([
    grouped(ctx, spec.metric),
    baselineValues(ctx, spec.metric, spec.baseline),
  ])
  const sig = spec.mode === 'significance'
  const op = sig ? '<' : '>'
  const clear = spec.clear ?? spec.value
  return [...cur.entries()].map(([key, c]) => {
    const bb = base.get(key)
    const bv = bb?.value
    const o = blank(ctx, spec.metric, c.labels, spec.value, op)
    const baseline = bb ? { ...figure(bb.value), from: iso(bb.from), to: iso(bb.to), label: bb.label } : null
    if (!enough(ctx, spec.metric, c) || !enough(ctx, spec.metric, bv))
      return { ...o, n: c.n, clear, baseline }
    const ch = change(spec.mode, c, bv)
    if (!ch) return { ...o, n: c.n, clear, baseline }
    const x = directed(ch.x, spec.direction)
    const wanted = spec.direction === 'either' || x > 0
    const lo = x - Z95 * ch.se
    const hi = x + Z95 * ch.se
    const bad = sig ? wanted && ch.p < spec.value : lo > spec.value
    const good = sig ? !wanted || ch.p >= clear : x <= clear
    const what =
      spec.mode === 'relative'
        ? `${ch.x >= 0 ? '+' : ''}${(ch.x * 100).toFixed(1)}%`
        : `${ch.x >= 0 ? '+' : ''}${formatFigure(spec.metric, ch.x)}`
    return {
      ...o,
      outcome: bad ? 'bad' : good ? 'good' : 'hold',
      value: sig ? ch.p : x,
      lo: sig ? null : lo,
      hi: sig ? null : hi,
      n: c.n,
      clear,
      current: figure(c),
      baseline,
      summary: `${spec.metric} ${formatFigure(spec.metric, c.value)} vs ${formatFigure(spec.metric, bv.value)} baseline, ${bb?.label} (${what}, p=${ch.p.toPrecision(2)}, n=${c.n})`,
    }
  })
}

async function judgeDrift(ctx: Ctx, spec: Spec<'drift'>): Promise<Observation[]> {
  const b = baselineRange(spec.baseline, ctx.from, ctx.to)
  const groups = ctx.rule.groupBy.length
    ? [...(await grouped(ctx, spec.metric)).values()].map((r) => r.labels)
    : [{} as Record<string, string>]
  const clear = spec.clear ?? spec.value
  return Promise.all(
    groups.map(async (labels) => {
      const r = await ctx.src.drift({
        projectId: ctx.rule.projectId,
        metric: spec.metric,
        statistic: spec.statistic,
        current: { from: ctx.from, to: ctx.to, filters: labels },
        baseline: { from: b.from, to: b.to, filters: { ...labels, ...b.filters } },
      })
      const o = blank(ctx, spec.metric, labels, spec.value, '>')
      if (r.insufficient || r.value === null) return { ...o, n: r.n, clear }
      const bad = r.value > spec.value
      const good = r.value <= clear
      return {
        ...o,
        outcome: bad ? 'bad' : good ? 'good' : 'hold',
        value: r.value,
        n: r.n,
        clear,
        baseline: { value: null, lo: null, hi: null, n: r.baselineN, from: iso(b.from), to: iso(b.to) },
        summary: `${spec.metric} ${spec.statistic.toUpperCase()} ${r.value.toFixed(3)} ${bad ? '>' : '<='} ${spec.value} vs baseline (n=${r.n}, baseline n=${r.baselineN})`,
      }
    }),
  )
}

async function judgeTradeoff(ctx: Ctx, spec: Spec<'tradeoff'>): Promise<Observation[]> {
  const [ca, baseA, cb, baseB] = await Promise.all([
    grouped(ctx, spec.a.metric),
    baselineValues(ctx, spec.a.metric, spec.baseline),
    grouped(ctx, spec.b.metric),
    baselineValues(ctx, spec.b.metric, spec.baseline),
  ])
  const ba = new Map([...baseA].map(([k, v]) => [k, v.value]))
  const bb = new Map([...baseB].map(([k, v]) => [k, v.value]))
  const leg = (c: MetricValue | undefined, base: MetricValue | undefined, l: Spec<'tradeoff'>['a']) => {
    if (!enough(ctx, l.metric, c) || !enough(ctx, l.metric, base)) return null
    const ch = change('absolute', c, base)
    if (!ch) return null
    const move = l.direction === 'up' ? ch.x : -ch.x
    return { move, lo: move - Z95 * ch.se, hi: move + Z95 * ch.se, c, base }
  }
  return [...cb.entries()].map(([key, c]) => {
    const o = blank(ctx, spec.b.metric, c.labels, spec.b.by, '>')
    const a = leg(ca.get(key), ba.get(key), spec.a)
    const bl = leg(c, bb.get(key), spec.b)
    const clear = spec.b.by / 2
    if (!a || !bl) return { ...o, n: c.n, clear }
    // Both legs must move past their bounds with confidence; it clears once either is back within half.
    const bad = a.lo > spec.a.by && bl.lo > spec.b.by
    const good = a.move < spec.a.by / 2 || bl.move < spec.b.by / 2
    const pts = (l: typeof a, m: string) =>
      `${m} ${formatFigure(m, l.base.value)} -> ${formatFigure(m, l.c.value)}`
    return {
      ...o,
      outcome: bad ? 'bad' : good ? 'good' : 'hold',
      value: bl.move,
      lo: bl.lo,
      hi: bl.hi,
      n: c.n,
      clear,
      current: figure(c),
      baseline: (() => {
        const used = baseB.get(key)
        const from = used?.from ?? ctx.from - WEEK_MS
        const to = used?.to ?? ctx.to - WEEK_MS
        return {
          ...figure(bl.base),
          from: iso(from),
          to: iso(to),
          label: used?.label ?? 'same window last week',
        }
      })(),
      extra: { a: { metric: spec.a.metric, move: a.move, lo: a.lo, hi: a.hi, n: a.c.n } },
      summary: `trade-off: ${pts(a, spec.a.metric)} while ${pts(bl, spec.b.metric)} (n=${c.n})`,
    }
  })
}

async function judgeBurnRate(ctx: Ctx, spec: Spec<'burn_rate'>): Promise<Observation[]> {
  const shortMs =
    (spec.shortWindow && parseDuration(spec.shortWindow)) ||
    Math.max(10_000, Math.round(ctx.rule.windowMs / 12))
  const [long, short] = await Promise.all([
    grouped(ctx, spec.metric),
    grouped(ctx, spec.metric, ctx.to - shortMs),
  ])
  const budget = 1 - spec.objective
  return [...long.entries()].map(([key, l]) => {
    const o = blank(ctx, spec.metric, l.labels, spec.factor, '>')
    const s = short.get(key)
    if (!enough(ctx, spec.metric, l) || !enough(ctx, spec.metric, s)) return { ...o, n: l.n }
    const burn = (l.value as number) / budget
    const loLong = (l.lo ?? (l.value as number)) / budget
    const loShort = (s.lo ?? (s.value as number)) / budget
    const bad = loLong > spec.factor && loShort > spec.factor
    const good = burn <= spec.factor
    return {
      ...o,
      outcome: bad ? 'bad' : good ? 'good' : 'hold',
      value: burn,
      lo: loLong,
      hi: l.hi === null ? null : l.hi / budget,
      n: l.n,
      current: figure(l),
      extra: { shortWindowMs: shortMs, shortBurn: (s.value as number) / budget, budget },
      summary: `${spec.metric} burning the ${(spec.objective * 100).toFixed(2)}% objective's budget ${burn.toFixed(1)}x (> ${spec.factor}x; ${formatFigure(spec.metric, l.value)}, n=${l.n})`,
    }
  })
}

async function judgeNoData(ctx: Ctx, spec: Spec<'no_data'>): Promise<Observation[]> {
  const count = async (from: number, to: number) =>
    (await ctx.src.window({ projectId: ctx.rule.projectId, metric: spec.metric, from, to })).reduce(
      (a, r) => a + r.n,
      0,
    )
  const n = await count(ctx.from, ctx.to)
  const o = blank(ctx, spec.metric, {}, 1, '<')
  // Silence only means something after traffic: a project that never had any has nothing to lose.
  if (n === 0 && (await count(ctx.from - NO_DATA_LOOKBACK_MS, ctx.from)) === 0) return [{ ...o, n }]
  return [
    {
      ...o,
      outcome: n === 0 ? 'bad' : 'good',
      value: n,
      n,
      summary: n === 0 ? `no ${spec.metric} data in the last ${ctx.rule.window}` : `${n} ${spec.metric} rows`,
    },
  ]
}
