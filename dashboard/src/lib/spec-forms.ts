import type {
  AlertKind,
  AlertSpec,
  Baseline,
  BurnRateSpec,
  ChangeSpec,
  DriftSpec,
  NoDataSpec,
  ThresholdSpec,
  TradeoffSpec,
} from '@leash/shared'
import type { z } from 'zod'

/**
 * One sub-form per kind of `AlertRuleInput.spec`: the spec's own fields, numbers kept as the text the
 * user typed until the schema parses them on save. `toSpec` builds the candidate spec, `fromSpec` reads a stored one.
 */

/** A spec's fields as typed: numbers and dates become text, nested objects recurse. */
type Draft<T> = {
  [K in keyof Omit<T, 'kind'>]-?: NonNullable<T[K]> extends number | Date
    ? string
    : NonNullable<T[K]> extends string
      ? NonNullable<T[K]>
      : Draft<NonNullable<T[K]>>
}

export interface BaselineDraft {
  type: Baseline['type']
  /** datetime-local text of a pinned window. */
  from: string
  to: string
  model: string
  /** Hours before the window used until a week of history exists (week_or_recent). */
  hours: string
}

type WithBaseline<T> = Omit<Draft<T>, 'baseline'> & { baseline: BaselineDraft }

export interface SpecDrafts {
  threshold: Draft<z.input<typeof ThresholdSpec>>
  change: WithBaseline<z.input<typeof ChangeSpec>>
  drift: WithBaseline<z.input<typeof DriftSpec>>
  tradeoff: WithBaseline<z.input<typeof TradeoffSpec>>
  burn_rate: Draft<z.input<typeof BurnRateSpec>>
  no_data: Draft<z.input<typeof NoDataSpec>>
}

interface SpecForm<K extends AlertKind> {
  empty: SpecDrafts[K]
  toSpec(d: SpecDrafts[K]): unknown
  fromSpec(s: Extract<AlertSpec, { kind: K }>): SpecDrafts[K]
}

/** '' = not given; anything else must be a number (NaN is left for the schema to reject). */
function num(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text)
}

function opt(text: string): string | undefined {
  return text.trim() === '' ? undefined : text.trim()
}

function str(n: number | undefined): string {
  return n === undefined ? '' : String(n)
}

/** datetime-local value (local time, no zone) <-> ISO. */
export function toLocalInput(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso
  if (Number.isNaN(d.getTime())) return ''
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000)
  return local.toISOString().slice(0, 16)
}

const EMPTY_BASELINE: BaselineDraft = { type: 'week_or_recent', from: '', to: '', model: '', hours: '6' }

function toBaseline(b: BaselineDraft): unknown {
  if (b.type === 'week_before') return { type: 'week_before' }
  if (b.type === 'week_or_recent') return { type: 'week_or_recent', hours: num(b.hours) ?? 6 }
  if (b.type === 'model') return { type: 'model', model: b.model.trim() }
  return {
    type: 'pinned',
    from: b.from ? new Date(b.from).toISOString() : '',
    to: b.to ? new Date(b.to).toISOString() : '',
  }
}

function fromBaseline(b: Baseline): BaselineDraft {
  if (b.type === 'pinned')
    return { ...EMPTY_BASELINE, type: 'pinned', from: toLocalInput(b.from), to: toLocalInput(b.to) }
  if (b.type === 'model') return { ...EMPTY_BASELINE, type: 'model', model: b.model }
  if (b.type === 'week_or_recent') return { ...EMPTY_BASELINE, hours: String(b.hours) }
  return { ...EMPTY_BASELINE, type: 'week_before' }
}

const threshold: SpecForm<'threshold'> = {
  empty: { metric: '', op: '>', value: '', clear: '' },
  toSpec: (d) => ({
    kind: 'threshold',
    metric: d.metric.trim(),
    op: d.op,
    value: num(d.value),
    clear: num(d.clear),
  }),
  fromSpec: (s) => ({ metric: s.metric, op: s.op, value: str(s.value), clear: str(s.clear) }),
}

const change: SpecForm<'change'> = {
  empty: { metric: '', mode: 'absolute', direction: 'up', value: '', clear: '', baseline: EMPTY_BASELINE },
  toSpec: (d) => ({
    kind: 'change',
    metric: d.metric.trim(),
    baseline: toBaseline(d.baseline),
    mode: d.mode,
    direction: d.direction,
    value: num(d.value),
    clear: num(d.clear),
  }),
  fromSpec: (s) => ({
    metric: s.metric,
    mode: s.mode,
    direction: s.direction,
    value: str(s.value),
    clear: str(s.clear),
    baseline: fromBaseline(s.baseline),
  }),
}

const drift: SpecForm<'drift'> = {
  empty: { metric: '', statistic: 'psi', value: '', clear: '', baseline: EMPTY_BASELINE },
  toSpec: (d) => ({
    kind: 'drift',
    metric: d.metric.trim(),
    statistic: d.statistic,
    baseline: toBaseline(d.baseline),
    value: num(d.value),
    clear: num(d.clear),
  }),
  fromSpec: (s) => ({
    metric: s.metric,
    statistic: s.statistic,
    value: str(s.value),
    clear: str(s.clear),
    baseline: fromBaseline(s.baseline),
  }),
}

const tradeoff: SpecForm<'tradeoff'> = {
  empty: {
    a: { metric: '', direction: 'up', by: '' },
    b: { metric: '', direction: 'down', by: '' },
    baseline: EMPTY_BASELINE,
  },
  toSpec: (d) => ({
    kind: 'tradeoff',
    a: { metric: d.a.metric.trim(), direction: d.a.direction, by: num(d.a.by) },
    b: { metric: d.b.metric.trim(), direction: d.b.direction, by: num(d.b.by) },
    baseline: toBaseline(d.baseline),
  }),
  fromSpec: (s) => ({
    a: { metric: s.a.metric, direction: s.a.direction, by: str(s.a.by) },
    b: { metric: s.b.metric, direction: s.b.direction, by: str(s.b.by) },
    baseline: fromBaseline(s.baseline),
  }),
}

const burnRate: SpecForm<'burn_rate'> = {
  empty: { metric: '', objective: '0.99', factor: '14.4', shortWindow: '' },
  toSpec: (d) => ({
    kind: 'burn_rate',
    metric: d.metric.trim(),
    objective: num(d.objective),
    factor: num(d.factor),
    shortWindow: opt(d.shortWindow),
  }),
  fromSpec: (s) => ({
    metric: s.metric,
    objective: str(s.objective),
    factor: str(s.factor),
    shortWindow: s.shortWindow ?? '',
  }),
}

const noData: SpecForm<'no_data'> = {
  empty: { metric: '' },
  toSpec: (d) => ({ kind: 'no_data', metric: opt(d.metric) }),
  fromSpec: (s) => ({ metric: s.metric }),
}

export const SPEC_FORMS: { [K in AlertKind]: SpecForm<K> } = {
  threshold,
  change,
  drift,
  tradeoff,
  burn_rate: burnRate,
  no_data: noData,
}

export const EMPTY_SPECS: SpecDrafts = {
  threshold: threshold.empty,
  change: change.empty,
  drift: drift.empty,
  tradeoff: tradeoff.empty,
  burn_rate: burnRate.empty,
  no_data: noData.empty,
}

/** The spec the form holds for its kind, as a candidate for `AlertRuleInput.spec`. */
export function specOf<K extends AlertKind>(kind: K, specs: SpecDrafts): unknown {
  return SPEC_FORMS[kind].toSpec(specs[kind])
}

/** The drafts of a stored spec: its own kind filled in, the others empty. */
export function draftsOf(spec: AlertSpec): SpecDrafts {
  const form = SPEC_FORMS[spec.kind] as SpecForm<AlertKind>
  return { ...EMPTY_SPECS, [spec.kind]: form.fromSpec(spec as never) }
}

/** Switching kind keeps what was typed into fields both kinds have (metric, value, clear). */
export function carryOver<T extends object>(from: object, to: T): T {
  const out: Record<string, unknown> = { ...(to as Record<string, unknown>) }
  for (const [k, v] of Object.entries(from)) {
    if (typeof v === 'string' && out[k] === '') out[k] = v
  }
  return out as T
}
