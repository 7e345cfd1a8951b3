import type { AlertKind, AlertRule, AlertSeverity, AlertSpec, Baseline, GroupLabel } from '@leash/shared'
import { AlertRuleInput } from '@leash/shared'
import { draftsOf, EMPTY_SPECS, type SpecDrafts, specOf } from './spec-forms.ts'

/** The rule editor's state: the rule's own fields as typed, and one sub-form per spec kind. */
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
  specs: SpecDrafts
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
  specs: EMPTY_SPECS,
}

/** '' = not given; anything else must be a number (NaN is left for the schema to reject). */
function num(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text)
}

function opt(text: string): string | undefined {
  return text.trim() === '' ? undefined : text.trim()
}

/** The request body for create/update; `issues` lists what the schema rejects (field: message). */
export function toRuleInput(
  f: RuleForm,
  project: string,
): { ok: true; body: AlertRuleInput } | { ok: false; issues: string[] } {
  const raw = {
    project: project || undefined,
    name: f.name,
    spec: specOf(f.kind, f.specs),
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
    specs: draftsOf(rule.spec),
  }
}

/** One line that says what the rule watches, e.g. "refusal_rate > 0.3". */
export function describeSpec(s: AlertSpec): string {
  const base = (b: Baseline) =>
    b.type === 'week_before'
      ? 'a week before'
      : b.type === 'week_or_recent'
        ? `last week (the previous ${b.hours} h until a week of history exists)`
        : b.type === 'model'
          ? `model ${b.model}`
          : 'pinned window'
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
