import type { AlertKind } from '@leash/shared'
import type { ReactNode } from 'react'
import type { BaselineDraft, SpecDrafts } from '../lib/spec-forms.ts'

export function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
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

type Text = { value: string; onChange: (e: { target: { value: string } }) => void }

function text(value: string, set: (v: string) => void): Text {
  return { value, onChange: (e) => set(e.target.value) }
}

function MetricInput({
  id,
  value,
  set,
  placeholder = 'e.g. refusal_rate',
}: {
  id: string
  value: string
  set: (v: string) => void
  placeholder?: string
}) {
  return (
    <input
      list="rule-metric-names"
      placeholder={placeholder}
      data-testid={`rule-${id}`}
      {...text(value, set)}
    />
  )
}

/** The sub-form of one spec kind: its draft and a setter for a changed copy. */
type SubForm<K extends AlertKind> = (p: { d: SpecDrafts[K]; set: (d: SpecDrafts[K]) => void }) => ReactNode

function BaselineFields({ b, set }: { b: BaselineDraft; set: (b: BaselineDraft) => void }) {
  return (
    <>
      <Field label="Baseline">
        <select value={b.type} onChange={(e) => set({ ...b, type: e.target.value as BaselineDraft['type'] })}>
          <option value="week_or_recent">last week, or the hours before until a week exists</option>
          <option value="week_before">same window a week before</option>
          <option value="pinned">pinned window</option>
          <option value="model">another model</option>
        </select>
      </Field>
      {b.type === 'week_or_recent' ? (
        <Field label="Hours before the window (until a week of history)">
          <input inputMode="numeric" {...text(b.hours, (hours) => set({ ...b, hours }))} />
        </Field>
      ) : null}
      {b.type === 'pinned' ? (
        <>
          <Field label="Baseline from">
            <input type="datetime-local" {...text(b.from, (from) => set({ ...b, from }))} />
          </Field>
          <Field label="Baseline to">
            <input type="datetime-local" {...text(b.to, (to) => set({ ...b, to }))} />
          </Field>
        </>
      ) : null}
      {b.type === 'model' ? (
        <Field label="Baseline model">
          <input {...text(b.model, (model) => set({ ...b, model }))} />
        </Field>
      ) : null}
    </>
  )
}

type Bound = { value: string; clear: string }

/** The breach value and the optional clear value of change and drift rules. */
function BoundFields({ label, d, set }: { label: string; d: Bound; set: (b: Bound) => void }) {
  return (
    <>
      <Field label={label}>
        <input
          inputMode="decimal"
          data-testid="rule-value"
          {...text(d.value, (value) => set({ ...d, value }))}
        />
      </Field>
      <Field label="Clears at" hint="optional">
        <input inputMode="decimal" {...text(d.clear, (clear) => set({ ...d, clear }))} />
      </Field>
    </>
  )
}

const Threshold: SubForm<'threshold'> = ({ d, set }) => (
  <>
    <Field label="Metric">
      <MetricInput id="metric" value={d.metric} set={(metric) => set({ ...d, metric })} />
    </Field>
    <Field label="Fires when value is">
      <div className="inline-inputs">
        <select
          aria-label="Comparison"
          value={d.op}
          onChange={(e) => set({ ...d, op: e.target.value as '>' | '<' })}
        >
          <option value=">">above (&gt;)</option>
          <option value="<">below (&lt;)</option>
        </select>
        <input
          aria-label="Threshold"
          inputMode="decimal"
          data-testid="rule-value"
          {...text(d.value, (value) => set({ ...d, value }))}
        />
      </div>
    </Field>
    <Field label="Clears at" hint="optional hysteresis">
      <input inputMode="decimal" {...text(d.clear, (clear) => set({ ...d, clear }))} />
    </Field>
  </>
)

const Change: SubForm<'change'> = ({ d, set }) => (
  <>
    <Field label="Metric">
      <MetricInput id="metric" value={d.metric} set={(metric) => set({ ...d, metric })} />
    </Field>
    <Field label="Mode">
      <select value={d.mode} onChange={(e) => set({ ...d, mode: e.target.value as typeof d.mode })}>
        <option value="absolute">absolute (value − baseline)</option>
        <option value="relative">relative ((value − baseline) / baseline)</option>
        <option value="significance">significance (two-sided p-value)</option>
      </select>
    </Field>
    <Field label="Direction">
      <select
        value={d.direction}
        onChange={(e) => set({ ...d, direction: e.target.value as typeof d.direction })}
      >
        <option value="up">up</option>
        <option value="down">down</option>
        <option value="either">either</option>
      </select>
    </Field>
    <BoundFields
      label={d.mode === 'significance' ? 'Alpha' : 'Change that breaches'}
      d={d}
      set={(b) => set({ ...d, ...b })}
    />
    <BaselineFields b={d.baseline} set={(baseline) => set({ ...d, baseline })} />
  </>
)

const Drift: SubForm<'drift'> = ({ d, set }) => (
  <>
    <Field label="Metric">
      <MetricInput id="metric" value={d.metric} set={(metric) => set({ ...d, metric })} />
    </Field>
    <Field label="Statistic">
      <select
        value={d.statistic}
        onChange={(e) => set({ ...d, statistic: e.target.value as typeof d.statistic })}
      >
        <option value="psi">PSI (population stability index)</option>
        <option value="js">Jensen–Shannon distance</option>
        <option value="ks">Kolmogorov–Smirnov D</option>
      </select>
    </Field>
    <BoundFields label="Breaches above" d={d} set={(b) => set({ ...d, ...b })} />
    <BaselineFields b={d.baseline} set={(baseline) => set({ ...d, baseline })} />
  </>
)

function Leg({
  name,
  leg,
  set,
  placeholder,
}: {
  name: 'A' | 'B'
  leg: SpecDrafts['tradeoff']['a']
  set: (l: SpecDrafts['tradeoff']['a']) => void
  placeholder: string
}) {
  return (
    <>
      <Field label={`Metric ${name}`}>
        <MetricInput
          id={`${name.toLowerCase()}Metric`}
          value={leg.metric}
          set={(metric) => set({ ...leg, metric })}
          placeholder={placeholder}
        />
      </Field>
      <Field label={name === 'A' ? 'A moves' : 'while B moves'}>
        <div className="inline-inputs">
          <select
            aria-label={`${name} direction`}
            value={leg.direction}
            onChange={(e) => set({ ...leg, direction: e.target.value as 'up' | 'down' })}
          >
            <option value="up">up</option>
            <option value="down">down</option>
          </select>
          <input
            aria-label={`${name} by at least`}
            placeholder="by"
            inputMode="decimal"
            {...text(leg.by, (by) => set({ ...leg, by }))}
          />
        </div>
      </Field>
    </>
  )
}

const Tradeoff: SubForm<'tradeoff'> = ({ d, set }) => (
  <>
    <Leg name="A" leg={d.a} set={(a) => set({ ...d, a })} placeholder="e.g. reward_mean" />
    <Leg name="B" leg={d.b} set={(b) => set({ ...d, b })} placeholder="e.g. citation_support_rate" />
    <BaselineFields b={d.baseline} set={(baseline) => set({ ...d, baseline })} />
  </>
)

const BurnRate: SubForm<'burn_rate'> = ({ d, set }) => (
  <>
    <Field label="Bad-event rate metric">
      <MetricInput
        id="metric"
        value={d.metric}
        set={(metric) => set({ ...d, metric })}
        placeholder="e.g. error_rate"
      />
    </Field>
    <Field label="Objective" hint="e.g. 0.99">
      <input inputMode="decimal" {...text(d.objective, (objective) => set({ ...d, objective }))} />
    </Field>
    <Field label="Burn factor" hint="14.4 = 30-day budget in 2 days">
      <input inputMode="decimal" {...text(d.factor, (factor) => set({ ...d, factor }))} />
    </Field>
    <Field label="Short window" hint="optional, e.g. 5m">
      <input {...text(d.shortWindow, (shortWindow) => set({ ...d, shortWindow }))} />
    </Field>
  </>
)

const NoData: SubForm<'no_data'> = ({ d, set }) => (
  <Field label="Metric" hint="default requests">
    <MetricInput
      id="metric"
      value={d.metric}
      set={(metric) => set({ ...d, metric })}
      placeholder="requests"
    />
  </Field>
)

const SUB_FORMS: { [K in AlertKind]: SubForm<K> } = {
  threshold: Threshold,
  change: Change,
  drift: Drift,
  tradeoff: Tradeoff,
  burn_rate: BurnRate,
  no_data: NoData,
}

/** The fields of the chosen kind's sub-form. */
export function SpecFields<K extends AlertKind>({
  kind,
  specs,
  set,
}: {
  kind: K
  specs: SpecDrafts
  set: (kind: K, d: SpecDrafts[K]) => void
}) {
  const Sub = SUB_FORMS[kind] as SubForm<K>
  return <>{Sub({ d: specs[kind], set: (d) => set(kind, d) })}</>
}
