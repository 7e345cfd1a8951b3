import type { AlertKind, AlertRule, AlertSeverity, AlertSpec, Baseline, GroupLabel } from '@leash/shared'
import { AlertRuleInput } from '@leash/shared'

/** The rule editor's state: every input as typed (strings), turned into an AlertRuleInput on save. */
export interface RuleForm {
  name: string
  severity: AlertSeverity
  window: string
  interval: string
  for: string
  keepFiringFor: string
  minSamples: string
  groupBy: GroupLabel[]
  runbookUrl: string
  channels: string[]
  enabled: boolean
  kind: AlertKind
  metric: string
  op: '>' | '<'
  value: string
  clear: string
  mode: 'absolute' | 'relative' | 'significance'
  direction: 'up' | 'down' | 'either'
  statistic: 'psi' | 'js' | 'ks'
  baselineType: Baseline['type']
  baselineFrom: string
  baselineTo: string
  baselineModel: string
  aMetric: string
  aDirection: 'up' | 'down'
  aBy: string
  bMetric: string
  bDirection: 'up' | 'down'
  bBy: string
  objective: string
  factor: string
  shortWindow: string
}

export const KIND_LABEL: Record<AlertKind, string> = {
  threshold: 'Threshold: value crosses a fixed bound',
  change: 'Change: value moves against a baseline',
  drift: 'Drift: distribution moves (PSI / JS / KS)',
  tradeoff: 'Trade-off: one metric improves while another degrades',
  burn_rate: 'Burn rate: error budget spent too fast',
  no_data: 'No data: rows stop arriving',
}

export const EMPTY_RULE: RuleForm = {
  name: '',
  severity: 'warning',
  window: '5m',
  interval: '1m',
  for: '1',
  keepFiringFor: '0s',
  minSamples: '',
  groupBy: [],
  runbookUrl: '',
  channels: [],
  enabled: true,
  kind: 'threshold',
  metric: '',
  op: '>',
  value: '',
  clear: '',
  mode: 'absolute',
  direction: 'up',
  statistic: 'psi',
  baselineType: 'week_before',
  baselineFrom: '',
  baselineTo: '',
  baselineModel: '',
  aMetric: '',
  aDirection: 'up',
  aBy: '',
  bMetric: '',
  bDirection: 'down',
  bBy: '',
  objective: '0.99',
  factor: '14.4',
  shortWindow: '',
}

/** '' = not given; anything else must be a number (NaN is left for the schema to reject). */
function num(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text)
}

function opt(text: string): string | undefined {
  return text.trim() === '' ? undefined : text.trim()
}

/** datetime-local value (local time, no zone) <-> ISO. */
export function toLocalInput(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso
  if (Number.isNaN(d.getTime())) return ''
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000)
  return local.toISOString().slice(0, 16)
}

function baselineOf(f: RuleForm): unknown {
  if (f.baselineType === 'week_before') return { type: 'week_before' }
  if (f.baselineType === 'model') return { type: 'model', model: f.baselineModel.trim() }
  return {
    type: 'pinned',
    from: f.baselineFrom ? new Date(f.baselineFrom).toISOString() : '',
    to: f.baselineTo ? new Date(f.baselineTo).toISOString() : '',
  }
}

function specOf(f: RuleForm): unknown {
  const metric = f.metric.trim()
  switch (f.kind) {
    case 'threshold':
      return { kind: 'threshold', metric, op: f.op, value: num(f.value), clear: num(f.clear) }
    case 'change':
      return {
        kind: 'change',
        metric,
        baseline: baselineOf(f),
        mode: f.mode,
        direction: f.direction,
        value: num(f.value),
        clear: num(f.clear),
      }
    case 'drift':
      return {
        kind: 'drift',
        metric,
        statistic: f.statistic,
        baseline: baselineOf(f),
        value: num(f.value),
        clear: num(f.clear),
      }
    case 'tradeoff':
      return {
        kind: 'tradeoff',
        a: { metric: f.aMetric.trim(), direction: f.aDirection, by: num(f.aBy) },
        b: { metric: f.bMetric.trim(), direction: f.bDirection, by: num(f.bBy) },
        baseline: baselineOf(f),
      }
    case 'burn_rate':
      return {
        kind: 'burn_rate',
        metric,
        objective: num(f.objective),
        factor: num(f.factor),
        shortWindow: opt(f.shortWindow),
      }
    case 'no_data':
      return { kind: 'no_data', metric: opt(f.metric) }
  }
}

/** The request body for create/update; `issues` lists what the schema rejects (field: message). */
export function toRuleInput(
  f: RuleForm,
  project: string,
): { ok: true; body: AlertRuleInput } | { ok: false; issues: string[] } {
  const raw = {
    project: project || undefined,
    name: f.name,
    spec: specOf(f),
    window: f.window.trim(),
    interval: f.interval.trim(),
    severity: f.severity,
    minSamples: num(f.minSamples),
    for: num(f.for),
    keepFiringFor: f.keepFiringFor.trim(),
    groupBy: f.groupBy,
    runbookUrl: opt(f.runbookUrl),
    channels: f.channels,
    enabled: f.enabled,
  }
  const parsed = AlertRuleInput.safeParse(raw)
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
    }
  }
  // Send what the user typed (validated), not the defaults zod filled in: the server owns defaults.
  return { ok: true, body: raw as AlertRuleInput }
}

function str(n: number | undefined): string {
  return n === undefined ? '' : String(n)
}

function baselineFields(b: Baseline): Partial<RuleForm> {
  if (b.type === 'pinned') {
    return { baselineType: 'pinned', baselineFrom: toLocalInput(b.from), baselineTo: toLocalInput(b.to) }
  }
  if (b.type === 'model') return { baselineType: 'model', baselineModel: b.model }
  return { baselineType: 'week_before' }
}

function specFields(s: AlertSpec): Partial<RuleForm> {
  switch (s.kind) {
    case 'threshold':
      return { metric: s.metric, op: s.op, value: str(s.value), clear: str(s.clear) }
    case 'change':
      return {
        metric: s.metric,
        mode: s.mode,
        direction: s.direction,
        value: str(s.value),
        clear: str(s.clear),
        ...baselineFields(s.baseline),
      }
    case 'drift':
      return {
        metric: s.metric,
        statistic: s.statistic,
        value: str(s.value),
        clear: str(s.clear),
        ...baselineFields(s.baseline),
      }
    case 'tradeoff':
      return {
        aMetric: s.a.metric,
        aDirection: s.a.direction,
        aBy: str(s.a.by),
        bMetric: s.b.metric,
        bDirection: s.b.direction,
        bBy: str(s.b.by),
        ...baselineFields(s.baseline),
      }
    case 'burn_rate':
      return {
        metric: s.metric,
        objective: str(s.objective),
        factor: str(s.factor),
        shortWindow: s.shortWindow ?? '',
      }
    case 'no_data':
      return { metric: s.metric }
  }
}

export function fromRule(rule: AlertRule): RuleForm {
  return {
    ...EMPTY_RULE,
    name: rule.name,
    severity: rule.severity,
    window: rule.window,
    interval: rule.interval,
    for: String(rule.for),
    keepFiringFor: rule.keepFiringFor,
    minSamples: str(rule.minSamples),
    groupBy: rule.groupBy,
    runbookUrl: rule.runbookUrl ?? '',
    channels: rule.channels,
    enabled: rule.enabled,
    kind: rule.spec.kind,
    ...specFields(rule.spec),
  }
}

/** One line that says what the rule watches, e.g. "refusal_rate > 0.3". */
export function describeSpec(s: AlertSpec): string {
  const base = (b: Baseline) =>
    b.type === 'week_before' ? 'a week before' : b.type === 'model' ? `model ${b.model}` : 'pinned window'
  switch (s.kind) {
    case 'threshold':
      return `${s.metric} ${s.op} ${s.value}`
    case 'change':
      return `${s.metric} ${s.direction} by ${s.mode === 'significance' ? `p < ${s.value}` : `${s.value} (${s.mode})`} vs ${base(s.baseline)}`
    case 'drift':
      return `${s.metric} ${s.statistic.toUpperCase()} > ${s.value} vs ${base(s.baseline)}`
    case 'tradeoff':
      return `${s.a.metric} ${s.a.direction} ${s.a.by} while ${s.b.metric} ${s.b.direction} ${s.b.by} vs ${base(s.baseline)}`
    case 'burn_rate':
      return `${s.metric} burning ${s.factor}× the budget of ${s.objective}`
    case 'no_data':
      return `no ${s.metric} rows`
  }
}
