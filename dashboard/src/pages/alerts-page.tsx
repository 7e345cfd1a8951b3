import type { AlertStateFilter } from '../api/client.ts'
import { listAlerts } from '../api/client.ts'
import { fmtDuration, fmtSince, LabelChips, SeverityPill, StatePill } from '../components/alert-bits.tsx'
import { Link } from '../components/link.tsx'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtDateTime } from '../lib/format.ts'
import { hrefWithSticky, useLocation } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'
import { useNow } from '../lib/use-now.ts'

const STATES: Array<{ key: AlertStateFilter; label: string; empty: string }> = [
  { key: 'firing', label: 'Firing', empty: 'Nothing is firing.' },
  { key: 'acknowledged', label: 'Acknowledged', empty: 'No acknowledged alerts waiting to be resolved.' },
  { key: 'resolved', label: 'Resolved', empty: 'No resolved alerts yet.' },
]

export function AlertTabs({ active }: { active: AlertStateFilter | 'rules' }) {
  return (
    <nav className="tabs" aria-label="Alerts">
      {STATES.map((s) => (
        <Link
          key={s.key}
          href={hrefWithSticky('/alerts', { state: s.key === 'firing' ? undefined : s.key })}
          className={active === s.key ? 'tab active' : 'tab'}
          aria-current={active === s.key ? 'page' : undefined}
          data-testid={`alerts-tab-${s.key}`}
        >
          {s.label}
        </Link>
      ))}
      <Link
        href={hrefWithSticky('/alerts/rules')}
        className={active === 'rules' ? 'tab active' : 'tab'}
        aria-current={active === 'rules' ? 'page' : undefined}
        data-testid="alerts-tab-rules"
      >
        Rules and channels
      </Link>
    </nav>
  )
}

/** Alerts by state: what moved, how bad, since when. Refreshed every 10 s. */
export function AlertsPage() {
  const { project } = useSession()
  const { query } = useLocation()
  const param = query.get('state')
  const state = STATES.find((s) => s.key === param) ?? STATES[0]
  const res = useApi(`alerts:${project}:${state?.key}`, () => listAlerts(project, state?.key ?? 'firing'), {
    refreshMs: 10_000,
  })
  const now = useNow(5000)
  const items = res.data ?? []

  return (
    <>
      <PageHeader
        title="Alerts"
        sub="Incidents raised by the alert rules; open one for its evidence and actions"
      />
      <AlertTabs active={state?.key ?? 'firing'} />
      {res.error ? <ErrorBanner message={res.error} onRetry={() => void res.reload()} /> : null}
      {res.loading ? <Loading /> : null}
      {res.data && items.length === 0 ? (
        <section className="card">
          <Empty title={state?.empty ?? 'No alerts.'} testId="alerts-empty">
            Alerts appear here when a rule fires.{' '}
            <Link href={hrefWithSticky('/alerts/rules')}>See the rules</Link>
          </Empty>
        </section>
      ) : null}
      {items.length > 0 ? (
        <section className="card">
          <table className="table" data-testid="alerts-table">
            <thead>
              <tr>
                <th>Severity</th>
                <th>Rule</th>
                <th>What moved</th>
                <th>Labels</th>
                <th>Started</th>
                <th>State</th>
                <th className="num">{state?.key === 'resolved' ? 'Time to resolve' : 'Time to ack'}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-testid="alert-row">
                  <td>
                    <SeverityPill severity={a.severity} />
                  </td>
                  <td>
                    <Link href={hrefWithSticky(`/alerts/${a.id}`)} data-testid="alert-link">
                      {a.rule}
                    </Link>
                    <div className="muted small">{a.kind}</div>
                  </td>
                  <td className="small">{a.evidence.summary ?? <span className="muted">—</span>}</td>
                  <td>
                    <LabelChips labels={a.labels} />
                  </td>
                  <td className="nowrap" title={fmtDateTime(a.startedAt)}>
                    {fmtSince(a.startedAt, now)}
                  </td>
                  <td>
                    <StatePill alert={a} />
                  </td>
                  <td className="num">
                    {fmtDuration(state?.key === 'resolved' ? a.timeToResolveMs : a.timeToAckMs)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  )
}
