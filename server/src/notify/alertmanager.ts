import type { AlertNotice } from './notice.ts'

/** Alertmanager's "zero time" for an alert that has not ended. */
const ZERO_TIME = '0001-01-01T00:00:00Z'

/**
 * Prometheus Alertmanager webhook (version 4) so existing receivers work unchanged, plus a `leash`
 * object with the figures behind the alert.
 */
export function alertmanagerPayload(n: AlertNotice, receiver: string, externalURL: string) {
  const labels: Record<string, string> = {
    alertname: n.ruleName,
    severity: n.severity,
    rule_kind: n.kind,
    ...n.labels,
  }
  const annotations: Record<string, string> = { summary: n.summary, description: `${n.event}: ${n.summary}` }
  if (n.runbookUrl) annotations.runbook_url = n.runbookUrl
  return {
    version: '4',
    groupKey: `{}:{alertname=${JSON.stringify(n.ruleName)}, fingerprint=${JSON.stringify(n.fingerprint)}}`,
    truncatedAlerts: 0,
    status: n.status,
    receiver,
    groupLabels: { alertname: n.ruleName },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL,
    alerts: [
      {
        status: n.status,
        labels,
        annotations,
        startsAt: n.startsAt,
        endsAt: n.endsAt ?? ZERO_TIME,
        generatorURL: n.incidentUrl,
        fingerprint: n.fingerprint,
      },
    ],
    leash: {
      event: n.event,
      incidentId: n.incidentId,
      incidentState: n.incidentState,
      state: n.state,
      previousState: n.previousState,
      metric: n.metric,
      value: n.value,
      threshold: n.threshold,
      baseline: n.baseline,
      interval: n.interval,
      n: n.n,
      window: n.window,
      exampleEventIds: n.examples.map((e) => e.eventId),
      error: n.error,
    },
  }
}
