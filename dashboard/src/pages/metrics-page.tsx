import { Dimension, type MetricDefinition, type MetricSeriesResponse } from '@leash/shared'
import { useMemo } from 'react'
import { metricCatalog, metricSeries } from '../api/client.ts'
import type { BandSeries } from '../components/band-chart.tsx'
import { BandChart, isInsufficient, SERIES_COLORS } from '../components/band-chart.tsx'
import { RangePicker } from '../components/controls.tsx'
import { EstimateCard } from '../components/estimate-card.tsx'
import { FilterInput } from '../components/filter-input.tsx'
import { MetricDefinitionCard } from '../components/metric-definition.tsx'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtDateTime } from '../lib/format.ts'
import { byFamily, FAMILY_LABEL, labelText } from '../lib/metric-meta.ts'
import type { RangeKey } from '../lib/range.ts'
import { isRangeKey, rangeOf } from '../lib/range.ts'
import { setQuery, useLocation } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { fmtValue, UNIT_LABEL } from '../lib/units.ts'
import { useApi } from '../lib/use-api.ts'
import { incidentSpans, useIncidents } from '../lib/use-incidents.ts'

// The page filters by four dimensions and groups by all five.
const FILTERS = Dimension.exclude(['upstream']).options
type FilterKey = (typeof FILTERS)[number]
const GROUPS: readonly Dimension[] = Dimension.options
const STEPS = [10, 30, 60, 300, 900, 3600, 6 * 3600, 86_400]
/** Display density, well under the API's SERIES_MAX_BUCKETS: a step is offered when its chart stays readable. */
const CHART_MAX_POINTS = 720
const REFRESH_MS = 30_000

function stepLabel(s: number): string {
  if (s < 60) return `${s} s`
  if (s < 3600) return `${s / 60} min`
  if (s < 86_400) return `${s / 3600} h`
  return `${s / 86_400} d`
}

function stepsFor(range: RangeKey): number[] {
  const seconds = rangeOf(range).seconds
  return STEPS.filter((s) => s < seconds && seconds / s <= CHART_MAX_POINTS)
}

/** About 24 buckets: coarse enough for a rate to reach its minimum samples per bucket on modest traffic. */
function defaultStep(range: RangeKey): number {
  const steps = stepsFor(range)
  return steps.find((s) => s >= rangeOf(range).seconds / 24) ?? steps[steps.length - 1] ?? rangeOf(range).step
}

function toBandSeries(res: MetricSeriesResponse): BandSeries[] {
  return res.series.map((s) => {
    const label = labelText(s.labels)
    return { key: label, label, points: s.points }
  })
}

function SeriesTable({ res }: { res: MetricSeriesResponse }) {
  const unit = res.metric.unit
  return (
    <table className="table" data-testid="series-summary">
      <thead>
        <tr>
          <th>Series</th>
          <th className="num">Buckets with data</th>
          <th className="num">Insufficient (0 &lt; n &lt; min)</th>
          <th className="num">Samples (n)</th>
          <th>Latest value · 95% CI</th>
        </tr>
      </thead>
      <tbody>
        {res.series.map((s, i) => {
          const withData = s.points.filter((p) => p.value !== null)
          const latest = withData[withData.length - 1]
          return (
            <tr key={labelText(s.labels)}>
              <td>
                <span className="swatch" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} />{' '}
                {labelText(s.labels)}
              </td>
              <td className="num">
                {withData.length} / {s.points.length}
              </td>
              <td className="num">{s.points.filter(isInsufficient).length}</td>
              <td className="num">{s.points.reduce((a, p) => a + p.n, 0).toLocaleString('en-US')}</td>
              <td>
                {latest ? (
                  <>
                    <strong>{fmtValue(latest.value, unit)}</strong>
                    {latest.lo !== null && latest.hi !== null ? (
                      <span className="muted">
                        {' '}
                        [{fmtValue(latest.lo, unit)} – {fmtValue(latest.hi, unit)}]
                      </span>
                    ) : null}
                    <span className="muted">
                      {' '}
                      n={latest.n} at {fmtDateTime(new Date(latest.t).toISOString())}
                    </span>
                  </>
                ) : (
                  <span className="muted">
                    {s.points.some(isInsufficient)
                      ? 'no bucket with enough samples'
                      : 'no data in this range'}
                  </span>
                )}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function PointsTable({ res }: { res: MetricSeriesResponse }) {
  const unit = res.metric.unit
  const multi = res.series.length > 1
  return (
    <details className="points">
      <summary>All buckets as a table</summary>
      <table className="table">
        <thead>
          <tr>
            {multi ? <th>Series</th> : null}
            <th>Bucket start</th>
            <th className="num">Value</th>
            <th className="num">95% CI</th>
            <th className="num">n</th>
          </tr>
        </thead>
        <tbody>
          {res.series.flatMap((s) =>
            s.points.map((p) => (
              <tr key={`${labelText(s.labels)}-${p.t}`}>
                {multi ? <td>{labelText(s.labels)}</td> : null}
                <td>{fmtDateTime(new Date(p.t).toISOString())}</td>
                <td className="num">
                  {p.value === null ? (
                    <span className="muted">{isInsufficient(p) ? 'insufficient data' : 'no data'}</span>
                  ) : (
                    fmtValue(p.value, unit)
                  )}
                </td>
                <td className="num">
                  {p.lo !== null && p.hi !== null ? `${fmtValue(p.lo, unit)} – ${fmtValue(p.hi, unit)}` : '—'}
                </td>
                <td className="num">{p.n}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </details>
  )
}

function MetricPicker({ items, value }: { items: MetricDefinition[]; value: string }) {
  return (
    <label className="field">
      <span>Metric</span>
      <select
        data-testid="metric-select"
        value={value}
        onChange={(e) => setQuery({ metric: e.target.value })}
      >
        {byFamily(items).map(([family, list]) => (
          <optgroup key={family} label={FAMILY_LABEL[family]}>
            {list.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  )
}

/** Any catalog metric over time, sliced and grouped, with its confidence band and its formula. */
export function MetricsPage() {
  const { project } = useSession()
  const { query } = useLocation()
  const catalog = useApi('catalog', metricCatalog)
  const items = catalog.data?.items ?? []

  const rangeParam = query.get('range') ?? ''
  const range: RangeKey = isRangeKey(rangeParam) ? rangeParam : '1h'
  const steps = stepsFor(range)
  const stepParam = Number(query.get('step') ?? '')
  const step = steps.includes(stepParam) ? stepParam : defaultStep(range)
  const groupParam = query.get('groupBy') ?? ''
  const groupBy = GROUPS.includes(groupParam as Dimension) ? groupParam : ''
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<FilterKey, string>
  const wanted = query.get('metric') ?? ''
  const metric =
    items.find((m) => m.name === wanted) ?? items.find((m) => m.name === 'refusal_rate') ?? items[0]

  const key = JSON.stringify([project, metric?.name, range, step, groupBy, filters])
  const incidents = useIncidents()
  const series = useApi(
    key,
    () => {
      const to = Date.now()
      return metricSeries({
        project,
        metric: metric?.name ?? '',
        from: to - rangeOf(range).seconds * 1000,
        to,
        step,
        groupBy,
        filters,
      })
    },
    { enabled: metric !== undefined, refreshMs: REFRESH_MS, keepPrevious: true },
  )
  const res = series.data
  const bands = useMemo(() => (res ? toBandSeries(res) : []), [res])
  const noPoints = res?.series.every((s) => s.points.every((p) => p.value === null)) ?? false
  const allInsufficient = noPoints && (res?.series.some((s) => s.points.some(isInsufficient)) ?? false)

  return (
    <>
      <PageHeader
        title="Metrics"
        sub="Every metric of the catalog, with its 95% interval and minimum sample size"
      >
        <RangePicker range={range} onRange={(k) => setQuery({ range: k === '1h' ? null : k, step: null })} />
      </PageHeader>
      {catalog.error ? (
        <ErrorBanner
          message={catalog.error}
          prefix="Could not load the metric catalog"
          onRetry={() => void catalog.reload()}
        />
      ) : null}
      {catalog.loading ? <Loading height={360} label="Loading the metric catalog…" /> : null}
      {catalog.data && items.length === 0 ? <Empty title="The metric catalog is empty" /> : null}
      {metric ? (
        <div className="explorer">
          <aside className="explorer-side">
            <MetricPicker items={items} value={metric.name} />
            <MetricDefinitionCard metric={metric} />
          </aside>
          <div className="explorer-main">
            <div className="card filters" data-testid="metric-filters">
              <label className="field filter">
                <span>Step</span>
                <select
                  data-testid="step-select"
                  value={step}
                  onChange={(e) => setQuery({ step: e.target.value })}
                >
                  {steps.map((s) => (
                    <option key={s} value={s}>
                      {stepLabel(s)}
                      {s === defaultStep(range) ? ' (default)' : ''}
                    </option>
                  ))}
                </select>
              </label>
              {FILTERS.map((k) => (
                <FilterInput
                  key={k}
                  label={k.replace('_', ' ')}
                  value={filters[k]}
                  onCommit={(v) => setQuery({ [k]: v || null })}
                />
              ))}
              <label className="field filter">
                <span>Group by</span>
                <select
                  data-testid="groupby-select"
                  value={groupBy}
                  onChange={(e) => setQuery({ groupBy: e.target.value || null })}
                >
                  <option value="">none</option>
                  {GROUPS.map((g) => (
                    <option key={g} value={g}>
                      {g.replace('_', ' ')}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            {series.error ? (
              <ErrorBanner
                message={series.error}
                prefix="Could not load the series"
                onRetry={() => void series.reload()}
              />
            ) : null}
            <section className="card chart-card" data-testid="metric-chart" aria-busy={series.loading}>
              <header className="card-head">
                <h2>
                  {metric.name}
                  {groupBy ? <span className="muted"> by {groupBy.replace('_', ' ')}</span> : null}
                </h2>
                <span className="muted">
                  {UNIT_LABEL[metric.unit]} · {stepLabel(step)} buckets · band = 95% CI · grey = insufficient
                  data (n &lt; {metric.minSamples})
                </span>
              </header>
              <div className="chart-body chart-body-lg">
                {res ? (
                  <BandChart
                    series={bands}
                    unit={res.metric.unit}
                    from={res.from}
                    to={res.to}
                    stepMs={res.step * 1000}
                    minSamples={res.metric.minSamples}
                    marks={incidentSpans(incidents.data, res.metric.name)}
                  />
                ) : null}
                {!res && series.loading ? <div className="chart-empty">loading…</div> : null}
                {res && res.series.length === 0 ? (
                  <div className="chart-empty">no data in this range</div>
                ) : null}
                {res && res.series.length > 0 && noPoints ? (
                  <div className="chart-empty" data-testid="metric-insufficient">
                    {allInsufficient
                      ? `insufficient data: no bucket reached ${metric.minSamples} samples`
                      : 'no data in this range'}
                  </div>
                ) : null}
              </div>
            </section>
            <EstimateCard
              metric={metric}
              rangeSeconds={rangeOf(range).seconds}
              groupBy={groupBy}
              filters={filters}
            />
            {res && res.series.length > 0 ? (
              <section className="card">
                <SeriesTable res={res} />
                <PointsTable res={res} />
              </section>
            ) : null}
          </div>
        </div>
      ) : null}
    </>
  )
}
