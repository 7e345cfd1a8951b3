import type { AlertDetail, MetricDefinition } from '@leash/shared'
import { fmtDateTime } from '../lib/format.ts'
import { hrefWithSticky } from '../lib/router.ts'
import { fmtValue } from '../lib/units.ts'
import { LabelChips } from './alert-bits.tsx'
import { EvidenceExample } from './evidence-example.tsx'
import { LabelButtons } from './label-buttons.tsx'
import { Link } from './link.tsx'

interface Fig {
  value: number | null
  lo: number | null
  hi: number | null
  n: number
}

function FigureText({ f, unit }: { f: Fig; unit: string }) {
  return (
    <>
      <strong>{fmtValue(f.value, unit)}</strong>
      {f.lo !== null && f.hi !== null ? (
        <span className="muted">
          {' '}
          95% CI [{fmtValue(f.lo, unit)} – {fmtValue(f.hi, unit)}]
        </span>
      ) : null}
      <span className="muted"> · n={f.n.toLocaleString('en-US')}</span>
    </>
  )
}

/** Units of `value`/`threshold`: the metric's own for threshold rules, a bare number for derived ones. */
function comparedUnit(kind: string | undefined, metricUnit: string): { unit: string; label: string } {
  switch (kind) {
    case 'threshold':
      return { unit: metricUnit, label: 'Value' }
    case 'change':
      return { unit: 'score', label: 'Change vs baseline' }
    case 'drift':
      return { unit: 'score', label: 'Drift statistic' }
    case 'burn_rate':
      return { unit: 'score', label: 'Burn rate' }
    case 'tradeoff':
      return { unit: 'score', label: 'Move' }
    default:
      return { unit: 'score', label: 'Value' }
  }
}

function windowText(from?: string, to?: string): string {
  if (!from || !to) return '—'
  return `${fmtDateTime(from)} → ${fmtDateTime(to)}`
}

/** What moved, by how much, against what, on how many samples, where, with the responses that moved it. */
export function EvidenceView({
  alert,
  metric,
}: {
  alert: AlertDetail
  metric: MetricDefinition | undefined
}) {
  const ev = alert.evidence
  const metricUnit = metric?.unit ?? 'score'
  const cmp = comparedUnit(ev.kind ?? alert.kind, metricUnit)
  const interval = ev.interval ?? null
  const explorer = ev.metric
    ? hrefWithSticky('/metrics', { metric: ev.metric, range: '6h', ...alert.labels })
    : null
  return (
    <section className="card" data-testid="alert-evidence">
      <header className="card-head">
        <h2>Evidence</h2>
        {ev.evaluatedAt ? <span className="muted">evaluated {fmtDateTime(ev.evaluatedAt)}</span> : null}
      </header>
      {ev.summary ? (
        <p className="evidence-summary" data-testid="evidence-summary">
          {ev.summary}
        </p>
      ) : null}
      <div className="evidence-grid">
        <div className="fig">
          <h3>{cmp.label}</h3>
          <div data-testid="evidence-value">
            <FigureText
              f={{
                value: ev.value ?? null,
                lo: interval?.[0] ?? null,
                hi: interval?.[1] ?? null,
                n: ev.n ?? 0,
              }}
              unit={cmp.unit}
            />
            {ev.estimate ? (
              <div className="muted" data-testid="evidence-estimate">
                {ev.estimate === 'corrected'
                  ? `corrected (${ev.labels ?? 0} labels)`
                  : ev.estimate === 'corrected-judge'
                    ? `corrected by judge (${ev.labels ?? 0} judge labels)`
                    : 'raw'}
              </div>
            ) : null}
          </div>
        </div>
        <div className="fig">
          <h3>Threshold</h3>
          <div data-testid="evidence-threshold">
            {ev.threshold !== undefined && ev.threshold !== null ? (
              <>
                <strong>
                  {ev.op === '<' ? 'below' : 'above'} {fmtValue(ev.threshold, cmp.unit)}
                </strong>
                {ev.clear !== undefined && ev.clear !== null && ev.clear !== ev.threshold ? (
                  <span className="muted"> · clears at {fmtValue(ev.clear, cmp.unit)}</span>
                ) : null}
              </>
            ) : (
              <span className="muted">—</span>
            )}
          </div>
        </div>
        <div className="fig">
          <h3>Baseline</h3>
          <div data-testid="evidence-baseline">
            {ev.baseline ? (
              <>
                <FigureText f={ev.baseline} unit={metricUnit} />
                <div className="muted small">
                  {ev.baseline.label ? `${ev.baseline.label}: ` : ''}
                  {windowText(ev.baseline.from, ev.baseline.to)}
                </div>
              </>
            ) : (
              <span className="muted">{ev.kind === 'threshold' ? 'fixed threshold, no baseline' : '—'}</span>
            )}
          </div>
        </div>
        {ev.latest ? (
          <div className="fig">
            <h3>Latest evaluation</h3>
            <div data-testid="evidence-latest">
              <FigureText f={ev.latest} unit={cmp.unit} />
              <div className="muted small">{fmtDateTime(ev.latest.at)}</div>
            </div>
          </div>
        ) : null}
        {ev.current && (ev.kind ?? alert.kind) !== 'threshold' ? (
          <div className="fig">
            <h3>{ev.metric ?? 'Metric'} now</h3>
            <FigureText f={ev.current} unit={metricUnit} />
          </div>
        ) : null}
        <div className="fig">
          <h3>Window</h3>
          <div>
            <strong>{ev.window ?? '—'}</strong>
            <div className="muted small">{windowText(ev.from, ev.to)}</div>
          </div>
        </div>
        <div className="fig">
          <h3>Metric</h3>
          <div>
            <code>{ev.metric ?? '—'}</code>
            {metric ? <div className="muted small">{metric.formula}</div> : null}
            {explorer ? (
              <div className="small">
                <Link href={explorer}>Open in the metrics explorer</Link>
              </div>
            ) : null}
          </div>
        </div>
      </div>

      <h3 className="mt">Slice driving it</h3>
      <div data-testid="evidence-slice">
        {ev.slice ? (
          <p>
            <LabelChips labels={ev.slice.labels} /> at <strong>{fmtValue(ev.slice.value, metricUnit)}</strong>{' '}
            <span className="muted">
              on n={ev.slice.n.toLocaleString('en-US')}, {(ev.slice.share * 100).toFixed(0)}% of the movement
              (by {ev.slice.dimension})
            </span>
          </p>
        ) : (
          <p className="muted">
            No single model, route or feature stands out (or there were too few samples per slice).
          </p>
        )}
      </div>

      <h3 className="mt">Worst example responses</h3>
      {ev.examples && ev.examples.length > 0 ? (
        <ol className="examples" data-testid="evidence-examples">
          {ev.examples.slice(0, 5).map((x) => (
            <EvidenceExample
              key={x.eventId}
              eventId={x.eventId}
              excerpt={x.excerpt}
              value={x.value}
              actions={<LabelButtons eventId={x.eventId} />}
            />
          ))}
        </ol>
      ) : (
        <p className="muted">No example responses were recorded for this alert.</p>
      )}
      {ev.errors && ev.errors.length > 0 ? (
        <div className="banner banner-warn small">Evidence is partial: {ev.errors.join('; ')}</div>
      ) : null}
    </section>
  )
}
