import { type AlertKind, GroupLabel } from '@leash/shared'
import type { FormEvent, ReactNode } from 'react'
import { useState } from 'react'
import type { RuleForm } from '../lib/rule-form.ts'
import { KIND_LABEL } from '../lib/rule-form.ts'

const KINDS = Object.keys(KIND_LABEL) as AlertKind[]
const GROUP_LABELS = GroupLabel.options

export interface ChannelOption {
  id: string
  name: string
  kind: string
}

interface RuleEditorProps {
  initial: RuleForm
  title: string
  metricNames: string[]
  channels: ChannelOption[]
  busy: boolean
  /** Messages from the schema or the server, shown above the buttons. */
  issues: string[]
  onSubmit: (form: RuleForm) => void
  onCancel: () => void
}

function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control comes in as children
    <label className="field">
      <span>
        {label}
        {hint ? <span className="muted"> · {hint}</span> : null}
      </span>
      {children}
    </label>
  )
}

/** Create / edit one alert rule; every kind of the AlertSpec schema has its own fields. */
export function RuleEditor({
  initial,
  title,
  metricNames,
  channels,
  busy,
  issues,
  onSubmit,
  onCancel,
}: RuleEditorProps) {
  const [f, setF] = useState<RuleForm>(initial)
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) =>
    setF((prev) => ({ ...prev, [key]: value }))
  const text = (key: keyof RuleForm) => ({
    value: String(f[key]),
    onChange: (e: { target: { value: string } }) => setF((prev) => ({ ...prev, [key]: e.target.value })),
  })
  const metricInput = (key: 'metric' | 'aMetric' | 'bMetric', placeholder = 'e.g. refusal_rate') => (
    <input list="rule-metric-names" placeholder={placeholder} data-testid={`rule-${key}`} {...text(key)} />
  )
  const usesBaseline = f.kind === 'change' || f.kind === 'drift' || f.kind === 'tradeoff'

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    onSubmit(f)
  }

  return (
    <form className="card form-card" onSubmit={submit} data-testid="rule-editor" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
      </header>
      <datalist id="rule-metric-names">
        {metricNames.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <div className="form-grid">
        <Field label="Name">
          <input required data-testid="rule-name" {...text('name')} />
        </Field>
        <Field label="Kind">
          <select
            data-testid="rule-kind"
            value={f.kind}
            onChange={(e) => set('kind', e.target.value as AlertKind)}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Severity">
          <select
            value={f.severity}
            onChange={(e) => set('severity', e.target.value as RuleForm['severity'])}
          >
            <option value="critical">critical</option>
            <option value="warning">warning</option>
            <option value="info">info</option>
          </select>
        </Field>

        {f.kind === 'threshold' ? (
          <>
            <Field label="Metric">{metricInput('metric')}</Field>
            <Field label="Fires when value is">
              <div className="inline-inputs">
                <select
                  aria-label="Comparison"
                  value={f.op}
                  onChange={(e) => set('op', e.target.value as '>' | '<')}
                >
                  <option value=">">above (&gt;)</option>
                  <option value="<">below (&lt;)</option>
                </select>
                <input
                  aria-label="Threshold"
                  inputMode="decimal"
                  data-testid="rule-value"
                  {...text('value')}
                />
              </div>
            </Field>
            <Field label="Clears at" hint="optional hysteresis">
              <input inputMode="decimal" {...text('clear')} />
            </Field>
          </>
        ) : null}

        {f.kind === 'change' ? (
          <>
            <Field label="Metric">{metricInput('metric')}</Field>
            <Field label="Mode">
              <select value={f.mode} onChange={(e) => set('mode', e.target.value as RuleForm['mode'])}>
                <option value="absolute">absolute (value − baseline)</option>
                <option value="relative">relative ((value − baseline) / baseline)</option>
                <option value="significance">significance (two-sided p-value)</option>
              </select>
            </Field>
            <Field label="Direction">
              <select
                value={f.direction}
                onChange={(e) => set('direction', e.target.value as RuleForm['direction'])}
              >
                <option value="up">up</option>
                <option value="down">down</option>
                <option value="either">either</option>
              </select>
            </Field>
            <Field label={f.mode === 'significance' ? 'Alpha' : 'Change that breaches'}>
              <input inputMode="decimal" data-testid="rule-value" {...text('value')} />
            </Field>
            <Field label="Clears at" hint="optional">
              <input inputMode="decimal" {...text('clear')} />
            </Field>
          </>
        ) : null}

        {f.kind === 'drift' ? (
          <>
            <Field label="Metric">{metricInput('metric')}</Field>
            <Field label="Statistic">
              <select
                value={f.statistic}
                onChange={(e) => set('statistic', e.target.value as RuleForm['statistic'])}
              >
                <option value="psi">PSI (population stability index)</option>
                <option value="js">Jensen–Shannon distance</option>
                <option value="ks">Kolmogorov–Smirnov D</option>
              </select>
            </Field>
            <Field label="Breaches above">
              <input inputMode="decimal" data-testid="rule-value" {...text('value')} />
            </Field>
            <Field label="Clears at" hint="optional">
              <input inputMode="decimal" {...text('clear')} />
            </Field>
          </>
        ) : null}

        {f.kind === 'tradeoff' ? (
          <>
            <Field label="Metric A">{metricInput('aMetric', 'e.g. reward_mean')}</Field>
            <Field label="A moves">
              <div className="inline-inputs">
                <select
                  aria-label="A direction"
                  value={f.aDirection}
                  onChange={(e) => set('aDirection', e.target.value as 'up' | 'down')}
                >
                  <option value="up">up</option>
                  <option value="down">down</option>
                </select>
                <input aria-label="A by at least" placeholder="by" inputMode="decimal" {...text('aBy')} />
              </div>
            </Field>
            <Field label="Metric B">{metricInput('bMetric', 'e.g. citation_support_rate')}</Field>
            <Field label="while B moves">
              <div className="inline-inputs">
                <select
                  aria-label="B direction"
                  value={f.bDirection}
                  onChange={(e) => set('bDirection', e.target.value as 'up' | 'down')}
                >
                  <option value="up">up</option>
                  <option value="down">down</option>
                </select>
                <input aria-label="B by at least" placeholder="by" inputMode="decimal" {...text('bBy')} />
              </div>
            </Field>
          </>
        ) : null}

        {f.kind === 'burn_rate' ? (
          <>
            <Field label="Bad-event rate metric">{metricInput('metric', 'e.g. error_rate')}</Field>
            <Field label="Objective" hint="e.g. 0.99">
              <input inputMode="decimal" {...text('objective')} />
            </Field>
            <Field label="Burn factor" hint="14.4 = 30-day budget in 2 days">
              <input inputMode="decimal" {...text('factor')} />
            </Field>
            <Field label="Short window" hint="optional, e.g. 5m">
              <input {...text('shortWindow')} />
            </Field>
          </>
        ) : null}

        {f.kind === 'no_data' ? (
          <Field label="Metric" hint="default requests">
            {metricInput('metric', 'requests')}
          </Field>
        ) : null}

        {usesBaseline ? (
          <>
            <Field label="Baseline">
              <select
                value={f.baselineType}
                onChange={(e) => set('baselineType', e.target.value as RuleForm['baselineType'])}
              >
                <option value="week_before">same window a week before</option>
                <option value="pinned">pinned window</option>
                <option value="model">another model</option>
              </select>
            </Field>
            {f.baselineType === 'pinned' ? (
              <>
                <Field label="Baseline from">
                  <input type="datetime-local" {...text('baselineFrom')} />
                </Field>
                <Field label="Baseline to">
                  <input type="datetime-local" {...text('baselineTo')} />
                </Field>
              </>
            ) : null}
            {f.baselineType === 'model' ? (
              <Field label="Baseline model">
                <input {...text('baselineModel')} />
              </Field>
            ) : null}
          </>
        ) : null}

        <Field label="Window" hint="e.g. 10s, 5m, 1h">
          <input data-testid="rule-window" {...text('window')} />
        </Field>
        <Field label="Evaluate every">
          <input data-testid="rule-interval" {...text('interval')} />
        </Field>
        <Field label="Bad evaluations before firing">
          <input inputMode="numeric" {...text('for')} />
        </Field>
        <Field label="Keep firing for" hint="e.g. 0s, 5m">
          <input {...text('keepFiringFor')} />
        </Field>
        <Field label="Min samples" hint="default: the metric's own">
          <input inputMode="numeric" {...text('minSamples')} />
        </Field>
        <Field label="Runbook URL" hint="optional">
          <input type="url" {...text('runbookUrl')} />
        </Field>
      </div>

      <fieldset className="checks">
        <legend>Group by (one alert per group)</legend>
        {GROUP_LABELS.map((g) => (
          <label key={g} className="check">
            <input
              type="checkbox"
              checked={f.groupBy.includes(g)}
              onChange={(e) =>
                set('groupBy', e.target.checked ? [...f.groupBy, g] : f.groupBy.filter((x) => x !== g))
              }
            />
            {g}
          </label>
        ))}
      </fieldset>
      <fieldset className="checks">
        <legend>Notify</legend>
        {channels.length === 0 ? <span className="muted">no notification channels yet</span> : null}
        {channels.map((c) => (
          <label key={c.id} className="check">
            <input
              type="checkbox"
              checked={f.channels.includes(c.id)}
              onChange={(e) =>
                set(
                  'channels',
                  e.target.checked ? [...f.channels, c.id] : f.channels.filter((x) => x !== c.id),
                )
              }
            />
            {c.name} <span className="muted">({c.kind})</span>
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={f.enabled} onChange={(e) => set('enabled', e.target.checked)} />
        Enabled
      </label>

      {issues.length > 0 ? (
        <div className="banner banner-error" role="alert" data-testid="rule-issues">
          <ul className="issues">
            {issues.map((i) => (
              <li key={i}>{i}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="rule-save">
          {busy ? 'Saving…' : 'Save rule'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
