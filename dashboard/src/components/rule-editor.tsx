import { type AlertKind, GroupLabel } from '@leash/shared'
import type { FormEvent } from 'react'
import { useState } from 'react'
import type { RuleForm } from '../lib/rule-form.ts'
import { KIND_LABEL } from '../lib/rule-form.ts'
import { carryOver } from '../lib/spec-forms.ts'
import { Field, SpecFields } from './spec-fields.tsx'

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
  const text = (
    key: 'name' | 'window' | 'interval' | 'for' | 'keepFiringFor' | 'minSamples' | 'runbookUrl',
  ) => ({
    value: f[key],
    onChange: (e: { target: { value: string } }) => setF((prev) => ({ ...prev, [key]: e.target.value })),
  })
  // A new kind keeps what was typed into the fields both kinds have (metric, value, clear).
  const switchKind = (kind: AlertKind) =>
    setF((prev) => ({
      ...prev,
      kind,
      specs: { ...prev.specs, [kind]: carryOver(prev.specs[prev.kind], prev.specs[kind]) },
    }))

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
            onChange={(e) => switchKind(e.target.value as AlertKind)}
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

        <SpecFields
          kind={f.kind}
          specs={f.specs}
          set={(kind, d) => setF((prev) => ({ ...prev, specs: { ...prev.specs, [kind]: d } }))}
        />

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
