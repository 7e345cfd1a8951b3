import type { AlertDetail, SnoozeInput } from '@leash/shared'
import { useState } from 'react'
import {
  ackAlert,
  errorMessage,
  getAlert,
  isUnauthorized,
  metricCatalog,
  resolveAlert,
  snoozeAlert,
} from '../api/client.ts'
import { fmtDuration, LabelChips, SeverityPill, StatePill } from '../components/alert-bits.tsx'
import { AlertChart } from '../components/alert-chart.tsx'
import { EvidenceView } from '../components/evidence-view.tsx'
import { Link } from '../components/link.tsx'
import { ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtDateTime } from '../lib/format.ts'
import { hrefWithSticky } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'

const SNOOZES = [
  { key: '1h', label: '1 hour', ms: 3600_000 },
  { key: '4h', label: '4 hours', ms: 4 * 3600_000 },
  { key: '24h', label: '24 hours', ms: 86_400_000 },
  { key: 'worse', label: 'until it gets worse', ms: 0 },
]

function Actions({ alert, onChange }: { alert: AlertDetail; onChange: (a: AlertDetail) => void }) {
  const { project, onUnauthorized } = useSession()
  const [note, setNote] = useState('')
  const [snooze, setSnooze] = useState('1h')
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const resolved = alert.state === 'resolved'

  async function run(what: string, call: () => Promise<AlertDetail>) {
    setBusy(what)
    setError(null)
    try {
      onChange(await call())
    } catch (err) {
      if (isUnauthorized(err)) return onUnauthorized()
      setError(`${what} failed: ${errorMessage(err)}`)
    } finally {
      setBusy(null)
    }
  }

  function snoozeInput(): SnoozeInput {
    const preset = SNOOZES.find((s) => s.key === snooze)
    if (!preset || preset.ms === 0) return { untilWorse: true }
    return { until: new Date(Date.now() + preset.ms) }
  }

  return (
    <section className="card actions" data-testid="alert-actions">
      <h2>Actions</h2>
      {error ? (
        <div className="banner banner-error" role="alert" data-testid="alert-action-error">
          {error}
        </div>
      ) : null}
      {resolved && alert.firing ? (
        <div className="banner banner-warn" role="status" data-testid="alert-resolved-firing">
          Resolved, but the rule still fires: unless it clears within 5 minutes of the resolve, this alert
          re-opens as regressed.
        </div>
      ) : resolved ? (
        <p className="muted">This alert is resolved.</p>
      ) : null}
      {alert.state === 'open' ? (
        <button
          type="button"
          className="primary"
          data-testid="alert-ack"
          disabled={busy !== null}
          onClick={() => void run('Acknowledge', () => ackAlert(project, alert.id))}
        >
          {busy === 'Acknowledge' ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      ) : null}
      {!resolved ? (
        <form
          className="stack-sm"
          onSubmit={(e) => {
            e.preventDefault()
            if (note.trim() === '') return setError('Resolve needs a note: what was it, what was done?')
            void run('Resolve', () => resolveAlert(project, alert.id, note.trim()))
          }}
        >
          <label className="field">
            <span>Resolution note</span>
            <textarea
              rows={3}
              data-testid="alert-resolve-note"
              value={note}
              placeholder="What was it, what was done?"
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          <button type="submit" data-testid="alert-resolve" disabled={busy !== null}>
            {busy === 'Resolve' ? 'Resolving…' : 'Resolve'}
          </button>
        </form>
      ) : null}
      {!resolved ? (
        <form
          className="inline-inputs"
          onSubmit={(e) => {
            e.preventDefault()
            void run('Snooze', () => snoozeAlert(project, alert.id, snoozeInput()))
          }}
        >
          <select
            aria-label="Snooze for"
            value={snooze}
            onChange={(e) => setSnooze(e.target.value)}
            data-testid="alert-snooze-for"
          >
            {SNOOZES.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
          <button type="submit" data-testid="alert-snooze" disabled={busy !== null}>
            {busy === 'Snooze' ? 'Snoozing…' : 'Snooze'}
          </button>
        </form>
      ) : null}
      <dl className="facts">
        <dt>Started</dt>
        <dd>{fmtDateTime(alert.startedAt)}</dd>
        <dt>Acknowledged</dt>
        <dd>
          {alert.acknowledgedAt
            ? `${fmtDateTime(alert.acknowledgedAt)} by ${alert.acknowledgedBy ?? '?'}`
            : '—'}
          {alert.timeToAckMs !== null ? (
            <span className="muted"> ({fmtDuration(alert.timeToAckMs)})</span>
          ) : null}
        </dd>
        <dt>Resolved</dt>
        <dd>
          {alert.resolvedAt ? `${fmtDateTime(alert.resolvedAt)} by ${alert.resolvedBy ?? '?'}` : '—'}
          {alert.resolveNote ? <div className="muted">“{alert.resolveNote}”</div> : null}
        </dd>
        <dt>Snoozed</dt>
        <dd>
          {alert.snoozedUntil
            ? `until ${fmtDateTime(alert.snoozedUntil)}`
            : alert.snoozedUntilWorse !== null
              ? `until worse than ${alert.snoozedUntilWorse}`
              : 'no'}
        </dd>
        <dt>Regressed</dt>
        <dd>
          {alert.regressedCount} time{alert.regressedCount === 1 ? '' : 's'}
        </dd>
        {alert.runbookUrl ? (
          <>
            <dt>Runbook</dt>
            <dd>
              <a href={alert.runbookUrl} target="_blank" rel="noreferrer">
                {alert.runbookUrl}
              </a>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  )
}

function Timeline({ alert }: { alert: AlertDetail }) {
  return (
    <section className="card" data-testid="alert-timeline">
      <header className="card-head">
        <h2>Timeline</h2>
        <span className="muted">states and notifications</span>
      </header>
      {alert.timeline.length === 0 ? <p className="muted">No events.</p> : null}
      <ol className="timeline">
        {alert.timeline.map((e) => (
          <li key={`${e.at}-${e.type}-${e.message}`}>
            <span className="muted nowrap">{fmtDateTime(e.at)}</span>
            <span className="nowrap">
              <span className="chip">{e.type}</span>
            </span>
            <span>
              {e.message}
              {e.actor ? <span className="muted"> · {e.actor}</span> : null}
            </span>
          </li>
        ))}
      </ol>
    </section>
  )
}

/** One incident: evidence, timeline and the on-call actions. */
export function AlertPage({ id }: { id: string }) {
  const { project } = useSession()
  const res = useApi(`alert:${project}:${id}`, () => getAlert(project, id), { refreshMs: 15_000 })
  const catalog = useApi('catalog', metricCatalog)
  const [updated, setUpdated] = useState<AlertDetail | null>(null)
  // An action's answer is newer than the last poll until the next poll catches up.
  const alert = pickNewer(updated?.id === id ? updated : null, res.data)
  const metric = catalog.data?.items.find((m) => m.name === alert?.evidence.metric)

  return (
    <>
      <PageHeader
        title={alert ? alert.rule : 'Alert'}
        sub={
          <Link href={hrefWithSticky('/alerts')} className="small">
            ← All alerts
          </Link>
        }
      >
        {alert ? (
          <>
            <SeverityPill severity={alert.severity} />
            <StatePill alert={alert} />
            <LabelChips labels={alert.labels} />
          </>
        ) : null}
      </PageHeader>
      {res.error ? <ErrorBanner message={res.error} onRetry={() => void res.reload()} /> : null}
      {res.loading && !alert ? <Loading height={400} /> : null}
      {alert ? (
        <div className="alert-layout">
          <div className="stack">
            <AlertChart alert={alert} unit={metric?.unit ?? 'score'} minSamples={metric?.minSamples ?? 0} />
            <EvidenceView alert={alert} metric={metric} />
            <Timeline alert={alert} />
          </div>
          <Actions alert={alert} onChange={setUpdated} />
        </div>
      ) : null}
    </>
  )
}

/** The copy with the longer timeline wins (events are only ever appended); a tie goes to the poll. */
function pickNewer(action: AlertDetail | null, poll: AlertDetail | null): AlertDetail | null {
  if (!action) return poll
  if (!poll) return action
  return action.timeline.length > poll.timeline.length ? action : poll
}
