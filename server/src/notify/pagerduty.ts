import { type AlertNotice, labelText } from './notice.ts'

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue'

const SEVERITY: Record<string, 'critical' | 'warning' | 'info' | 'error'> = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
}

/** PagerDuty Events API v2: trigger on firing, acknowledge mirrored, resolve on resolved; dedup = fingerprint. */
export function pagerDutyEvent(n: AlertNotice, routingKey: string) {
  const action = n.event === 'acknowledged' ? 'acknowledge' : n.status === 'resolved' ? 'resolve' : 'trigger'
  const dedupKey = n.event === 'eval_error' ? `${n.fingerprint}:eval_error` : n.fingerprint
  const base = { routing_key: routingKey, event_action: action, dedup_key: dedupKey }
  if (action !== 'trigger') return base
  const where = labelText(n.labels)
  return {
    ...base,
    payload: {
      summary: `${n.summary}${where ? ` ${where}` : ''}`.slice(0, 1024),
      source: `leash/${n.ruleName}`,
      severity: n.event === 'eval_error' ? 'error' : (SEVERITY[n.severity] ?? 'warning'),
      timestamp: n.startsAt,
      component: n.metric,
      group: n.projectId,
      class: n.kind,
      custom_details: {
        event: n.event,
        state: n.state,
        previous_state: n.previousState,
        value: n.value,
        threshold: n.threshold,
        baseline: n.baseline,
        interval: n.interval,
        n: n.n,
        window: n.window,
        labels: n.labels,
        example_event_ids: n.examples.map((e) => e.eventId),
        error: n.error,
      },
    },
    client: 'Leash',
    client_url: n.incidentUrl,
    links: [
      { href: n.incidentUrl, text: 'Leash incident' },
      ...(n.runbookUrl ? [{ href: n.runbookUrl, text: 'Runbook' }] : []),
    ],
  }
}
