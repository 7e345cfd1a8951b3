import { hrefWithSticky } from '../lib/router.ts'
import { useIncidents } from '../lib/use-incidents.ts'
import { useNow } from '../lib/use-now.ts'
import { fmtSince, SeverityPill } from './alert-bits.tsx'
import { Link } from './link.tsx'

/** The Overview's first line when something is wrong: every open or acknowledged incident, linked. */
export function IncidentBanner() {
  const res = useIncidents()
  const now = useNow()
  const open = (res.data ?? []).filter((a) => a.state !== 'resolved')
  if (open.length === 0) return null
  return (
    <div className="banner banner-error incident-banner" role="alert" data-testid="incident-banner">
      <strong>
        {open.length} open incident{open.length === 1 ? '' : 's'}
      </strong>
      <ul>
        {open.slice(0, 5).map((a) => (
          <li key={a.id}>
            <SeverityPill severity={a.severity} />{' '}
            <Link href={hrefWithSticky(`/alerts/${a.id}`)} data-testid="incident-banner-link">
              {a.rule}
            </Link>{' '}
            <span className="small">
              {a.state === 'acknowledged' ? `acknowledged by ${a.acknowledgedBy ?? '?'}` : 'firing'}, started{' '}
              {fmtSince(a.startedAt, now)}
              {a.evidence.summary ? ` · ${a.evidence.summary}` : ''}
            </span>
          </li>
        ))}
      </ul>
      {open.length > 5 ? <Link href={hrefWithSticky('/alerts')}>and {open.length - 5} more</Link> : null}
    </div>
  )
}
