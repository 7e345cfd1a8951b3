/** Why a notification is sent. */
export type NoticeEvent =
  | 'firing'
  | 'regressed'
  | 'renotify'
  | 'worse'
  | 'ack_expired'
  | 'acknowledged'
  | 'resolved'
  | 'eval_error'
  /** "Send test notification" from the channels page: no incident behind it. */
  | 'test'

/** Everything a channel needs to render one notification; stored with the delivery, rendered at send time. */
export interface AlertNotice {
  event: NoticeEvent
  status: 'firing' | 'resolved'
  incidentId: string | null
  projectId: string
  ruleId: string
  ruleName: string
  kind: string
  severity: string
  fingerprint: string
  labels: Record<string, string>
  /** Instance state now and before (Normal, Pending, Firing, Recovering, InsufficientData, EvalError). */
  state: string
  previousState: string
  /** Incident state (open, acknowledged, resolved). */
  incidentState: string | null
  startsAt: string
  endsAt: string | null
  summary: string
  metric: string
  value: number | null
  threshold: number | null
  baseline: number | null
  interval: [number, number] | null
  n: number
  window: string
  examples: Array<{ eventId: string; excerpt: string }>
  runbookUrl: string | null
  incidentUrl: string
  acknowledgedBy: string | null
  error: string | null
}

export const isTrigger = (e: NoticeEvent): boolean =>
  e === 'firing' ||
  e === 'regressed' ||
  e === 'renotify' ||
  e === 'worse' ||
  e === 'ack_expired' ||
  e === 'eval_error'

export function truncate(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim()
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`
}

export function labelText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => labels[k])
    .join(' ')
}
