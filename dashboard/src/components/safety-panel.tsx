import type { MetricDefinition, MetricSeriesResponse } from '@leash/shared'
import { metricCatalog, metricSeries } from '../api/client.ts'
import { fmtDateTime } from '../lib/format.ts'
import { labelText, metricScale, metricTitle } from '../lib/metric-meta.ts'
import type { RangeKey } from '../lib/range.ts'
import { rangeOf } from '../lib/range.ts'
import { hrefWithSticky } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { fmtValue, UNIT_LABEL } from '../lib/units.ts'
import { useApi } from '../lib/use-api.ts'
import { incidentSpans, useIncidents } from '../lib/use-incidents.ts'
import { AccuracyBadge } from './accuracy-badge.tsx'
import { BandChart } from './band-chart.tsx'
import { Link } from './link.tsx'

/** The safety metrics worth a glance on the overview, in this order, when the catalog has them. */
const SAFETY = ['refusal_rate', 'false_refusal_rate', 'violation_rate', 'reward_mean']
const STEPS = [60, 300, 900, 3600, 6 * 3600, 86_400]

/** Coarser buckets than the traffic charts: a rate needs its minimum samples per bucket. */
function panelStep(range: RangeKey): number {
  const target = rangeOf(range).seconds / 24
  return STEPS.find((s) => s >= target) ?? 86_400
}

function bucketLabel(stepSeconds: number): string {
  if (stepSeconds % 86_400 === 0) return `${stepSeconds / 86_400}-day`
  if (stepSeconds % 3600 === 0) return `${stepSeconds / 3600}-hour`
  return `${Math.round(stepSeconds / 60)}-min`
}

function Headline({ res }: { res: MetricSeriesResponse }) {
  const points = res.series[0]?.points ?? []
  const latest = [...points].reverse().find((p) => p.value !== null)
  const unit = res.metric.unit
  if (!latest) {
    const n = points.reduce((a, p) => a + p.n, 0)
    return (
      <div className="tile-value tile-empty" data-testid="safety-insufficient">
        {n > 0 ? `insufficient data (no bucket reached n=${res.metric.minSamples})` : 'no data'}
      </div>
    )
  }
  return (
    <div>
      <div className="muted small" data-testid="safety-headline-label">
        latest {bucketLabel(res.step)} bucket
      </div>
      <span className="tile-value">{fmtValue(latest.value, unit)}</span>
      <div className="muted small">
        {latest.lo !== null && latest.hi !== null
          ? `95% CI ${fmtValue(latest.lo, unit)} – ${fmtValue(latest.hi, unit)} · `
          : ''}
        n={latest.n} · from {fmtDateTime(new Date(latest.t).toISOString())}
      </div>
    </div>
  )
}

function SafetyCard({ def, range }: { def: MetricDefinition; range: RangeKey }) {
  const { project } = useSession()
  const step = panelStep(range)
  const res = useApi(
    `safety:${project}:${def.name}:${range}`,
    () => {
      const to = Date.now()
      return metricSeries({ project, metric: def.name, from: to - rangeOf(range).seconds * 1000, to, step })
    },
    { refreshMs: 30_000, keepPrevious: true },
  )
  const incidents = useIncidents()
  const data = res.data
  const empty = data?.series.every((s) => s.points.every((p) => p.n === 0)) ?? false
  return (
    <section className="card safety-card" data-testid={`safety-${def.name}`}>
      <header className="card-head">
        <h2 title={`${def.name}: ${def.description}`}>
          <Link href={hrefWithSticky('/metrics', { metric: def.name, range })}>{metricTitle(def)}</Link>
          <AccuracyBadge metric={def.name} />
        </h2>
        <span className="muted small">{metricScale(def, UNIT_LABEL[def.unit])}</span>
      </header>
      <div className="safety-headline">
        {data ? (
          <Headline res={data} />
        ) : res.error ? (
          <span className="text-bad small">{res.error}</span>
        ) : (
          '…'
        )}
      </div>
      <div className="safety-chart">
        {empty ? <div className="safety-empty muted small">no scored responses in this range</div> : null}
        {data && !empty ? (
          <BandChart
            series={data.series.map((s) => ({
              key: labelText(s.labels),
              label: labelText(s.labels),
              points: s.points,
            }))}
            unit={data.metric.unit}
            from={data.from}
            to={data.to}
            stepMs={data.step * 1000}
            minSamples={data.metric.minSamples}
            height={110}
            compact
            marks={incidentSpans(incidents.data, def.name)}
          />
        ) : null}
      </div>
      <div className="muted small formula" title={def.formula}>
        {def.formula}
      </div>
    </section>
  )
}

/** Refusal, false refusal, violations and reward: both directions of failure side by side. */
export function SafetyPanel({ range }: { range: RangeKey }) {
  const catalog = useApi('catalog', metricCatalog)
  const defs = SAFETY.map((name) => catalog.data?.items.find((m) => m.name === name)).filter(
    (m): m is MetricDefinition => m !== undefined,
  )
  if (catalog.error)
    return <div className="banner banner-error">Safety metrics unavailable: {catalog.error}</div>
  if (!catalog.data) return <div className="safety-grid safety-placeholder" />
  if (defs.length === 0) return null
  return (
    <div className="safety-grid" data-testid="safety-panel">
      {defs.map((d) => (
        <SafetyCard key={d.name} def={d} range={range} />
      ))}
    </div>
  )
}
