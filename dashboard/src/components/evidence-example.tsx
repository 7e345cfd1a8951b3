import type { ReactNode } from 'react'
import { getExchange } from '../api/client.ts'
import { truncate } from '../lib/format.ts'
import { hrefWithSticky } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'
import { Link } from './link.tsx'

/** Scores worth seeing beside an example, in this order, when the exchange has them. */
const SHOWN = ['refusal', 'false_refusal', 'prompt_risk', 'violation', 'reward', 'citation_support']

export interface EvidenceExampleProps {
  eventId: string
  excerpt: string
  value?: number | null | undefined
  /** Slot under the example for actions on it (label buttons from the labels feature go here). */
  actions?: ReactNode
}

/**
 * One example behind an alert: the prompt and the response side by side (a false refusal cannot be judged
 * from the response alone) with the exchange's scores; the excerpt shows until the exchange loads.
 */
export function EvidenceExample({ eventId, excerpt, value, actions }: EvidenceExampleProps) {
  const { project } = useSession()
  const res = useApi(`example:${project}:${eventId}`, () => getExchange(eventId, project))
  const d = res.data?.found ?? null
  const scores = d ? SHOWN.filter((n) => n in d.scores).map((n) => [n, d.scores[n] as number] as const) : []
  return (
    <li className="example" data-testid="evidence-example">
      <div className="example-pair">
        <div>
          <div className="turn-role">prompt</div>
          <pre data-testid="evidence-example-prompt">
            {d ? truncate(d.prompt, 600) || '(empty)' : res.loading ? '…' : '(not available)'}
          </pre>
        </div>
        <div>
          <div className="turn-role">response</div>
          <pre data-testid="evidence-example-response">
            {truncate(d?.responseText ?? excerpt, 600) || '(empty response)'}
          </pre>
        </div>
      </div>
      <div className="muted small">
        {value !== undefined && value !== null ? `score ${value.toFixed(3)} · ` : ''}
        {scores.map(([n, v]) => (
          <span key={n} className="chip" title={d?.labels[n] ? `label ${d.labels[n]}` : undefined}>
            {n} {v.toFixed(2)}
          </span>
        ))}{' '}
        exchange{' '}
        <Link
          href={hrefWithSticky(`/exchanges/${encodeURIComponent(eventId)}`)}
          data-testid="evidence-example-link"
        >
          <code title="open this exchange">{eventId}</code>
        </Link>
      </div>
      <div className="example-actions" data-slot="example-labels">
        {actions}
      </div>
    </li>
  )
}
