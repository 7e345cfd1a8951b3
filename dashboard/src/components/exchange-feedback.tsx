import type { ExchangeFeedback } from '@leash/shared'
import { fmtDateTime } from '../lib/format.ts'

function what(f: ExchangeFeedback): string[] {
  const out: string[] = []
  if (f.thumbs) out.push(f.thumbs === 'up' ? '👍 thumbs up' : '👎 thumbs down')
  if (f.taskCompleted !== null) out.push(f.taskCompleted ? 'task completed' : 'task not completed')
  if (f.refusalWrong) out.push('refusal reported as wrong')
  if (f.editDistance !== null) out.push(`edited (${Math.round(f.editDistance * 100)}% changed)`)
  return out
}

/** Feedback the application posted about this exchange (`POST /api/feedback`), oldest first. */
export function FeedbackList({ items }: { items: ExchangeFeedback[] }) {
  return (
    <section className="card" data-testid="exchange-feedback">
      <h2>User feedback</h2>
      {items.length === 0 ? (
        <p className="muted">No feedback was posted about this exchange.</p>
      ) : (
        <ul className="feedback-list">
          {items.map((f) => (
            <li key={f.id} data-testid="feedback-item">
              <span className="muted small">{fmtDateTime(f.receivedAt)}</span> {what(f).join(' · ')}
              {f.comment ? <blockquote>{f.comment}</blockquote> : null}
              {f.editedText ? (
                <details>
                  <summary>Edited text</summary>
                  <pre>{f.editedText}</pre>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
