import type { AlertItem } from '@leash/shared'

const SEVERITY_TONE: Record<string, string> = { critical: 'bad', warning: 'warn', info: 'info' }

export function SeverityPill({ severity }: { severity: string }) {
  return <span className={`pill pill-${SEVERITY_TONE[severity] ?? 'info'}`}>{severity}</span>
}

export function StatePill({ alert }: { alert: Pick<AlertItem, 'state' | 'firing' | 'flapping'> }) {
  const text = alert.state === 'open' ? 'firing' : alert.state
  const tone = alert.state === 'resolved' ? 'ok' : alert.state === 'acknowledged' ? 'warn' : 'bad'
  return (
    <span className="nowrap">
      <span className={`pill pill-${tone}`} data-testid="alert-state">
        {text}
      </span>
      {alert.state !== 'resolved' && !alert.firing ? <span className="pill pill-ok">recovered</span> : null}
      {alert.flapping ? <span className="pill pill-warn">flapping</span> : null}
    </span>
  )
}

export function LabelChips({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels)
  if (entries.length === 0) return <span className="muted">all traffic</span>
  return (
    <span className="chips">
      {entries.map(([k, v]) => (
        <span key={k} className="chip">
          {k}={v || '(none)'}
        </span>
      ))}
    </span>
  )
}

/** "5 min ago", "3.0 h ago" from an ISO time, rounded like every duration beside it. */
export function fmtSince(iso: string, now: number = Date.now()): string {
  return `${fmtDuration(Math.max(0, now - Date.parse(iso)))} ago`
}

export function fmtDuration(ms: number | null): string {
  if (ms === null) return '—'
  const s = ms / 1000
  if (s < 60) return `${Math.round(s)} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`
  return `${(s / 86_400).toFixed(1)} d`
}
