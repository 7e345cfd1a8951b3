import type { Dimension, MetricDefinition } from '@leash/shared'
import { metricSeries } from '../api/client.ts'
import { fmtDateTime } from '../lib/format.ts'
import { labelText } from '../lib/metric-meta.ts'
import { useSession } from '../lib/session.tsx'
import { fmtValue } from '../lib/units.ts'
import { useApi } from '../lib/use-api.ts'

/** Rates that human labels can correct (server: metrics/corrected.ts). */
export const CORRECTABLE = [
  'refusal_rate',
  'full_refusal_rate',
  'false_refusal_rate',
  'prompt_risk_rate',
  'violation_rate',
  'citation_support_rate',
  'unsupported_claim_rate',
]

/**
 * Raw vs corrected, side by side, over the page's range in buckets of the whole range: the scorer's rate,
 * the rate corrected with the uniformly sampled human labels, and how many labels the correction used.
 */
export function EstimateCard({
  metric,
  rangeSeconds,
  groupBy,
  filters,
}: {
  metric: MetricDefinition
  rangeSeconds: number
  groupBy: string
  filters: Partial<Record<Dimension, string>>
}) {
  const { project } = useSession()
  const enabled = CORRECTABLE.includes(metric.name)
  const key = JSON.stringify(['estimate', project, metric.name, rangeSeconds, groupBy, filters])
  const data = useApi(
    key,
    async () => {
      const to = Date.now()
      const common = {
        project,
        metric: metric.name,
        from: to - rangeSeconds * 1000,
        to,
        step: rangeSeconds,
        groupBy,
        filters,
      }
      const [raw, corrected] = await Promise.all([
        metricSeries({ ...common, estimate: 'raw' }),
        metricSeries({ ...common, estimate: 'corrected' }),
      ])
      return { raw, corrected }
    },
    { enabled, keepPrevious: true },
  )
  if (!enabled) return null
  const unit = metric.unit
  const rows = (data.data?.corrected.series ?? []).flatMap((s) => {
    const raw = data.data?.raw.series.find((r) => labelText(r.labels) === labelText(s.labels))
    return s.points.filter((p) => p.n > 0).map((p) => ({ s, p, r: raw?.points.find((x) => x.t === p.t) }))
  })
  const ci = (lo: number | null, hi: number | null) =>
    lo !== null && hi !== null ? ` [${fmtValue(lo, unit)} – ${fmtValue(hi, unit)}]` : ''
  return (
    <section className="card" data-testid="estimate-card">
      <header className="card-head">
        <h2>Raw vs corrected</h2>
        <span className="muted">
          corrected = scorer verdicts corrected with uniformly sampled human labels (POST /api/labels); raw
          below 30 labels per series
        </span>
      </header>
      {data.error ? <div className="muted">{data.error}</div> : null}
      {rows.length === 0 && !data.loading ? (
        <div className="muted">no scored exchanges in this range</div>
      ) : null}
      {rows.length > 0 ? (
        <table className="table" data-testid="estimate-table">
          <thead>
            <tr>
              <th>Series</th>
              <th>From</th>
              <th>Raw · 95% CI</th>
              <th>Corrected · 95% CI</th>
              <th className="num">Labels used</th>
              <th className="num">n</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ s, p, r }) => (
              <tr
                key={`${labelText(s.labels)}@${p.t}`}
                data-testid="estimate-row"
                data-estimate={p.estimate ?? 'raw'}
              >
                <td>{labelText(s.labels)}</td>
                <td>{fmtDateTime(new Date(p.t).toISOString())}</td>
                <td>
                  {r ? fmtValue(r.value, unit) : '–'}
                  <span className="muted">{r ? ci(r.lo, r.hi) : ''}</span>
                </td>
                <td>
                  {p.estimate === 'corrected' ? (
                    <>
                      <strong>{fmtValue(p.value, unit)}</strong>
                      <span className="muted">{ci(p.lo, p.hi)}</span>
                    </>
                  ) : (
                    <span className="muted">raw: not enough labels</span>
                  )}
                </td>
                <td className="num">{p.labels ?? 0}</td>
                <td className="num">{p.n.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}
