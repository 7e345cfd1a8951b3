import type { Comparison, ReportRow, ReportSlice, WeeklyReportBody } from '@leash/shared'
import { isoWeekOf } from '@leash/shared'
import { useState } from 'react'
import { weeklyReport, weeklyReportUrl } from '../api/client.ts'
import { fmtDuration, LabelChips, SeverityPill } from '../components/alert-bits.tsx'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtDateTime } from '../lib/format.ts'
import { setQuery, useLocation } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { fmtValue } from '../lib/units.ts'
import { useApi } from '../lib/use-api.ts'

const WEEK = /^\d{4}-W\d{2}$/
const VERDICT_TONE: Record<ReportRow['verdict'], string> = {
  better: 'ok',
  worse: 'bad',
  changed: 'warn',
  unchanged: 'muted',
  insufficient: 'muted',
}

const day = (ms: number) =>
  new Date(ms).toLocaleDateString('en-GB', {
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  })

function fmtDelta(c: Comparison, unit: string): string {
  if (c.delta === null) return '—'
  const sign = c.delta > 0 ? '+' : c.delta < 0 ? '−' : '±'
  const abs = Math.abs(c.delta)
  const d = unit === 'ratio' ? `${(abs * 100).toFixed(abs < 0.01 ? 2 : 1)} pt` : fmtValue(abs, unit)
  const rel =
    c.relative === null ? '' : ` (${c.relative >= 0 ? '+' : '−'}${Math.abs(c.relative * 100).toFixed(0)}%)`
  return `${sign}${d}${rel}`
}

function fmtP(p: number | null): string {
  if (p === null) return '—'
  return p < 0.001 ? '< 0.001' : p.toFixed(3)
}

function ValueCell({ v, unit }: { v: ReportRow['thisWeek']; unit: string }) {
  if (v.value === null) {
    return <span className="muted">{v.n > 0 ? `insufficient (n=${v.n})` : 'no data'}</span>
  }
  return (
    <>
      {fmtValue(v.value, unit)}
      {v.lo !== null && v.hi !== null ? (
        <div className="muted small">
          [{fmtValue(v.lo, unit)} – {fmtValue(v.hi, unit)}] n={v.n}
        </div>
      ) : (
        <div className="muted small">n={v.n}</div>
      )}
    </>
  )
}

const ORDER: Record<ReportRow['verdict'], number> = {
  worse: 0,
  changed: 1,
  better: 2,
  unchanged: 3,
  insufficient: 4,
}

function SliceTable({
  slice,
  pinned,
  onlyMoved,
}: {
  slice: ReportSlice
  pinned: boolean
  onlyMoved: boolean
}) {
  const sorted = [...slice.metrics].sort((x, y) => ORDER[x.verdict] - ORDER[y.verdict])
  const rows = onlyMoved ? sorted.filter((r) => r.lastWeek.significant || r.pinned?.significant) : sorted
  const moved = slice.metrics.filter((r) => r.lastWeek.significant).length
  const insufficient = slice.metrics.filter((r) => r.verdict === 'insufficient').length
  const untested = slice.metrics.filter(
    (r) => r.verdict !== 'insufficient' && r.lastWeek.test === 'none',
  ).length
  return (
    <section className="card" data-testid="report-slice">
      <header className="card-head">
        <h2>
          model <code>{slice.model || '(none)'}</code> · route <code>{slice.route || '(none)'}</code>
        </h2>
        <span className="muted">
          {slice.requests.toLocaleString('en-US')} requests · {moved} significant · {untested} not testable
          against last week · {insufficient} insufficient this week
        </span>
      </header>
      {rows.length === 0 ? (
        <p className="muted">
          No significant change against last week across {slice.metrics.length} metrics ({untested} could not
          be tested, {insufficient} with insufficient data this week).
        </p>
      ) : (
        <table className="table" data-testid="report-table">
          <thead>
            <tr>
              <th>Metric</th>
              <th className="num">This week</th>
              <th className="num">Last week</th>
              <th className="num">Change</th>
              <th className="num">p (BH q)</th>
              {pinned ? <th className="num">vs pinned baseline</th> : null}
              <th>Verdict</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.metric}>
                <td>
                  <code>{r.metric}</code>
                  <div className="muted small">{r.family.replace('_', ' ')}</div>
                </td>
                <td className="num">
                  <ValueCell v={r.thisWeek} unit={r.unit} />
                </td>
                <td className="num">
                  <ValueCell v={r.lastWeek.baseline} unit={r.unit} />
                </td>
                <td className="num nowrap">{fmtDelta(r.lastWeek, r.unit)}</td>
                <td className="num">
                  {fmtP(r.lastWeek.p)}
                  <div className="muted small">
                    {r.lastWeek.test === 'none'
                      ? 'not tested'
                      : `${r.lastWeek.test} · q ${fmtP(r.lastWeek.pAdjusted)}`}
                  </div>
                </td>
                {pinned ? (
                  <td className="num">
                    {r.pinned ? (
                      <>
                        {fmtDelta(r.pinned, r.unit)}
                        <div className="muted small">
                          {r.pinned.significant ? 'significant' : 'not significant'} · q{' '}
                          {fmtP(r.pinned.pAdjusted)}
                        </div>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                ) : null}
                <td>
                  <span
                    className={
                      VERDICT_TONE[r.verdict] === 'muted' ? 'muted' : `pill pill-${VERDICT_TONE[r.verdict]}`
                    }
                  >
                    {r.verdict === 'unchanged' && r.lastWeek.test === 'none' ? 'not tested' : r.verdict}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {slice.examples.some((e) => e.items.length > 0) ? (
        <details className="points">
          <summary>Example responses ({slice.examples.reduce((a, e) => a + e.items.length, 0)})</summary>
          {slice.examples
            .filter((e) => e.items.length > 0)
            .map((e) => (
              <div key={e.metric} className="mt">
                <h3>{e.metric}</h3>
                <ol className="examples">
                  {e.items.map((x) => (
                    <li key={x.eventId}>
                      <div className="muted small">Prompt: {x.prompt.slice(0, 200)}</div>
                      <div>{x.excerpt || <span className="muted">(empty response)</span>}</div>
                      <div className="muted small">
                        {x.value !== null ? `value ${x.value.toFixed(3)} · ` : ''}
                        {fmtDateTime(new Date(x.time).toISOString())} · exchange <code>{x.eventId}</code>
                      </div>
                    </li>
                  ))}
                </ol>
              </div>
            ))}
        </details>
      ) : null}
    </section>
  )
}

function AlertsSection({ alerts }: { alerts: WeeklyReportBody['alerts'] }) {
  if (!alerts) return null
  return (
    <section className="card" data-testid="report-alerts">
      <header className="card-head">
        <h2>Alerts this week</h2>
        {alerts.available ? (
          <span className="muted">
            {alerts.fired} fired · {alerts.acknowledged} acknowledged · {alerts.resolved} resolved · median
            time to ack {fmtDuration(alerts.medianTimeToAckMs)} · to resolve{' '}
            {fmtDuration(alerts.medianTimeToResolveMs)}
          </span>
        ) : null}
      </header>
      {!alerts.available ? (
        <div className="banner banner-warn">Alert history unavailable: {alerts.note ?? 'unknown reason'}</div>
      ) : alerts.items.length === 0 ? (
        <p className="muted">No alert fired this week.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Severity</th>
              <th>Rule</th>
              <th>Metric</th>
              <th>Labels</th>
              <th>Started</th>
              <th>State</th>
              <th className="num">To ack</th>
              <th className="num">To resolve</th>
            </tr>
          </thead>
          <tbody>
            {alerts.items.map((a) => (
              <tr key={`${a.rule}-${a.startedAt}-${JSON.stringify(a.labels)}`}>
                <td>
                  <SeverityPill severity={a.severity} />
                </td>
                <td>{a.rule}</td>
                <td>
                  <code>{a.metric}</code>
                </td>
                <td>
                  <LabelChips labels={a.labels} />
                </td>
                <td className="nowrap">{fmtDateTime(new Date(a.startedAt).toISOString())}</td>
                <td>{a.state}</td>
                <td className="num">{fmtDuration(a.timeToAckMs)}</td>
                <td className="num">{fmtDuration(a.timeToResolveMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** The weekly drift report: every metric against last week (and a pinned week), per model and route. */
export function ReportsPage() {
  const { project } = useSession()
  const { query } = useLocation()
  const weekParam = query.get('week') ?? ''
  const baseParam = query.get('baseline') ?? ''
  const week = WEEK.test(weekParam) ? weekParam : ''
  const baseline = WEEK.test(baseParam) ? baseParam : ''
  const [onlyMoved, setOnlyMoved] = useState(false)
  const params = { project, week, baseline }
  const res = useApi(`report:${project}:${week}:${baseline}`, () => weeklyReport(params))
  const r = res.data
  const shown = { project, week: r?.week ?? week, baseline: r?.baseline?.week ?? baseline }

  return (
    <>
      <PageHeader
        title="Weekly drift report"
        sub="Every metric against last week and a pinned baseline, per model and route"
      />
      <div className="card toolbar" data-testid="report-toolbar">
        <label className="field-inline">
          <span className="muted">Week</span>
          <input
            type="week"
            data-testid="report-week"
            value={r?.week ?? week}
            onChange={(e) => setQuery({ week: e.target.value || null })}
          />
        </label>
        <button type="button" onClick={() => setQuery({ week: null })} aria-pressed={week === ''}>
          Last complete week
        </button>
        <button
          type="button"
          data-testid="report-this-week"
          onClick={() => setQuery({ week: isoWeekOf(Date.now()).week })}
          aria-pressed={week === isoWeekOf(Date.now()).week}
        >
          This week so far
        </button>
        <label className="field-inline">
          <span className="muted">Pinned baseline</span>
          <input
            type="week"
            data-testid="report-baseline"
            value={baseline}
            onChange={(e) => setQuery({ baseline: e.target.value || null })}
          />
        </label>
        <div className="spacer" />
        <span className="muted">Download</span>
        <a
          className="button-link"
          href={weeklyReportUrl(shown, 'md')}
          download={`leash-report-${shown.week || 'latest'}.md`}
          data-testid="report-md"
        >
          Markdown
        </a>
        <a
          className="button-link"
          href={weeklyReportUrl(shown, 'html')}
          target="_blank"
          rel="noreferrer"
          data-testid="report-html"
        >
          HTML
        </a>
      </div>
      {res.error ? (
        <ErrorBanner
          message={res.error}
          prefix="Could not build the report"
          onRetry={() => void res.reload()}
        />
      ) : null}
      {res.loading ? (
        <Loading height={300} label="Building the report (one query per metric and slice)…" />
      ) : null}
      {r ? (
        <div className="stack" data-testid="report">
          {r.summary?.length ? (
            <section className="card" data-testid="report-summary">
              <h2>Summary</h2>
              {r.summary.map((line) => (
                <p key={line}>{line}</p>
              ))}
            </section>
          ) : null}
          <section className="card">
            <dl className="facts facts-wide">
              <dt>Week</dt>
              <dd data-testid="report-week-label">
                <strong>{r.week}</strong> · {day(r.from)} – {day(r.to - 1)} (UTC)
              </dd>
              <dt>Compared with</dt>
              <dd>
                last week {r.lastWeek.week}
                {r.baseline ? ` and pinned baseline ${r.baseline.week}` : ' (no pinned baseline chosen)'}
              </dd>
              <dt>Significance</dt>
              <dd>
                {r.guard.tests} tests, {r.guard.method} adjusted at α = {r.guard.alpha}: a change is
                significant when its q-value is below α
              </dd>
              <dt>Generated</dt>
              <dd>{fmtDateTime(new Date(r.generatedAt).toISOString())}</dd>
            </dl>
            <label className="check mt">
              <input
                type="checkbox"
                checked={onlyMoved}
                onChange={(e) => setOnlyMoved(e.target.checked)}
                data-testid="report-only-moved"
              />
              Only significant changes
            </label>
          </section>
          <AlertsSection alerts={r.alerts} />
          {r.slices.length === 0 ? (
            <section className="card">
              <Empty title="No traffic in this week" testId="report-empty">
                Pick another week, or send traffic through the gateway.
              </Empty>
            </section>
          ) : (
            r.slices.map((s) => (
              <SliceTable
                key={`${s.model}|${s.route}`}
                slice={s}
                pinned={r.baseline !== null}
                onlyMoved={onlyMoved}
              />
            ))
          )}
        </div>
      ) : null}
    </>
  )
}
