import { type AlertDetail, Dimension, parseDuration } from '@leash/shared'
import { metricSeries } from '../api/client.ts'
import { labelText, metricTitle } from '../lib/metric-meta.ts'
import { useSession } from '../lib/session.tsx'
import { fmtValue } from '../lib/units.ts'
import { useApi } from '../lib/use-api.ts'
import { BandChart, type ChartMarks } from './band-chart.tsx'

const NICE_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400]

/** About 60 buckets over the range. */
function stepFor(rangeMs: number): number {
  const raw = rangeMs / 1000 / 60
  return NICE_STEPS.find((s) => s >= raw) ?? 86_400
}

/** Marks of one incident on its metric: threshold, clear, baseline, and the firing span. */
export function alertMarks(alert: AlertDetail, unit: string, now: number): ChartMarks {
  const ev = alert.evidence
  // Only a threshold rule compares the metric itself; other kinds compare a change, a statistic or a burn.
  const isThreshold = (ev.kind ?? alert.kind) === 'threshold'
  const t = isThreshold
    ? { threshold: ev.threshold ?? null, clear: ev.clear ?? null }
    : { threshold: null, clear: null }
  const lines: NonNullable<ChartMarks['lines']> = []
  if (t.threshold !== null)
    lines.push({ y: t.threshold, label: `threshold ${fmtValue(t.threshold, unit)}`, color: '#b42318' })
  if (t.clear !== null && t.clear !== t.threshold)
    lines.push({ y: t.clear, label: `clears ${fmtValue(t.clear, unit)}`, color: '#b7791f', dashed: true })
  const base = ev.baseline?.value
  if (base !== null && base !== undefined && (ev.kind ?? alert.kind) !== 'threshold')
    lines.push({ y: base, label: `baseline ${fmtValue(base, unit)}`, color: '#667085', dashed: true })
  const end = alert.resolvedAt ? Date.parse(alert.resolvedAt) : now
  return { lines, spans: [{ from: Date.parse(alert.startedAt), to: end, label: 'firing' }] }
}

/** The alert's metric over its window and well before it, with the marks that explain the alert. */
export function AlertChart({
  alert,
  unit,
  minSamples,
}: {
  alert: AlertDetail
  unit: string
  minSamples: number
}) {
  const { project } = useSession()
  const ev = alert.evidence
  const metric = ev.metric
  const windowMs = parseDuration(ev.window ?? '') ?? 15 * 60_000
  const started = Date.parse(alert.startedAt)
  const end = alert.resolvedAt ? Date.parse(alert.resolvedAt) + windowMs : Date.now()
  const from = Math.min(started - 4 * windowMs, end - 6 * windowMs)
  const to = end
  const step = stepFor(to - from)
  const filters = Object.fromEntries(
    Object.entries(alert.labels).filter(([k]) => Dimension.safeParse(k).success),
  ) as Partial<Record<Dimension, string>>
  const res = useApi(
    `alert-chart:${project}:${alert.id}:${metric}:${alert.resolvedAt ?? ''}`,
    () => metricSeries({ project, metric: metric ?? '', from, to, step, filters }),
    { enabled: Boolean(metric), refreshMs: alert.resolvedAt ? undefined : 60_000, keepPrevious: true },
  )
  if (!metric) return null
  const data = res.data
  return (
    <section className="card" data-testid="alert-chart">
      <header className="card-head">
        <h2 title={metric}>
          {metricTitle({ name: metric })}{' '}
          <span className="muted small">
            {Object.keys(filters).length ? labelText(filters) : 'all traffic'}
          </span>
        </h2>
        <span className="muted small">95% interval shaded · firing span in red</span>
      </header>
      {res.error ? <div className="text-bad small">Could not load the chart: {res.error}</div> : null}
      {data ? (
        <BandChart
          series={data.series.map((s) => ({
            key: labelText(s.labels),
            label: labelText(s.labels),
            points: s.points,
          }))}
          unit={unit}
          from={data.from}
          to={data.to}
          stepMs={data.step * 1000}
          minSamples={minSamples}
          height={240}
          marks={alertMarks(alert, unit, Date.now())}
        />
      ) : (
        <div style={{ height: 240 }} className="muted small">
          Loading the chart…
        </div>
      )}
    </section>
  )
}
