import type { ReviewItem } from '@leash/shared'
import { useCallback, useEffect, useState } from 'react'
import { errorMessage, postLabel, reviewQueue, undoLabels } from '../api/client.ts'
import { CORRECTABLE } from '../components/estimate-card.tsx'
import { ErrorBanner, PageHeader } from '../components/states.tsx'
import { setQuery, useLocation } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'

type Answer = string | boolean
/** One-key answers per labelled value. */
const KEYS: Record<string, Array<{ key: string; text: string; value: Answer }>> = {
  refusal: [
    { key: 'f', text: 'full refusal', value: 'full' },
    { key: 'p', text: 'partial refusal', value: 'partial' },
    { key: 'c', text: 'complied (none)', value: 'none' },
  ],
  prompt_harmful: [
    { key: 'h', text: 'harmful prompt', value: true },
    { key: 'b', text: 'benign prompt', value: false },
  ],
}
const yesNo = [
  { key: 'y', text: 'yes', value: true },
  { key: 'n', text: 'no', value: false },
]
const keysFor = (ask: string) => KEYS[ask] ?? yesNo

/**
 * The review queue: one exchange at a time (prompt, response, sources, the scorer's verdict), answered
 * with one key per value; `u` undoes the last labelled exchange, `s` skips. Uniform picks are posted as
 * `sample: "uniform"` (they feed the corrected rates), the scorer's least certain as `targeted`.
 */
export function ReviewPage() {
  const { project } = useSession()
  const { query } = useLocation()
  const metric = CORRECTABLE.includes(query.get('metric') ?? '')
    ? (query.get('metric') as string)
    : 'false_refusal_rate'
  const queue = useApi(`review:${project}:${metric}`, () => reviewQueue(project, metric, 20))
  const [pos, setPos] = useState(0)
  const [answers, setAnswers] = useState<Record<string, Answer>>({})
  const [done, setDone] = useState<ReviewItem[]>([])
  const [error, setError] = useState<string | null>(null)
  const items = queue.data?.items ?? []
  const asks = queue.data?.asks ?? []
  const item = items[pos]
  const ask = asks.find((a) => !(a in answers))

  // A new batch starts at its first item (done items stay, so undo still reaches them).
  const [batch, setBatch] = useState<unknown>(null)
  if (queue.data !== batch) {
    setBatch(queue.data)
    setPos(0)
    setAnswers({})
  }

  const answer = useCallback(
    async (value: Answer) => {
      if (!item || !ask) return
      const next = { ...answers, [ask]: value }
      if (asks.some((a) => !(a in next))) {
        setAnswers(next)
        return
      }
      try {
        await postLabel({ eventId: item.eventId, project, values: next, sample: item.sample })
        setDone((d) => [...d, item])
        setAnswers({})
        setPos((p) => p + 1)
        setError(null)
      } catch (err) {
        setError(errorMessage(err))
      }
    },
    [item, ask, answers, asks, project],
  )
  const undo = useCallback(async () => {
    const last = done[done.length - 1]
    if (!last) return
    try {
      await undoLabels(project, last.eventId)
      setDone((d) => d.slice(0, -1))
      setAnswers({})
      setPos((p) => Math.max(0, p - 1))
    } catch (err) {
      setError(errorMessage(err))
    }
  }, [done, project])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return
      if (e.key === 'u') return void undo()
      if (e.key === 's') {
        setAnswers({})
        setPos((p) => p + 1)
        return
      }
      const hit = ask ? keysFor(ask).find((k) => k.key === e.key) : undefined
      if (hit) void answer(hit.value)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [answer, undo, ask])

  return (
    <>
      <PageHeader
        title="Review"
        sub="Label what the scorers saw; the labels correct the rates and measure the scorers"
      >
        <select
          data-testid="review-metric"
          value={metric}
          onChange={(e) => setQuery({ metric: e.target.value })}
        >
          {CORRECTABLE.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </PageHeader>
      {queue.error ? <ErrorBanner message={queue.error} prefix="Could not load the review queue" /> : null}
      {error ? <ErrorBanner message={error} prefix="Could not save the label" /> : null}
      <div className="muted" data-testid="review-progress">
        {done.length} labelled · {Math.max(0, items.length - pos)} left in this batch
        {done.length ? ' · u = undo' : ''} · s = skip
      </div>
      {item && ask ? (
        <section className="card" data-testid="review-item" data-event={item.eventId}>
          <header className="card-head">
            <h2>
              {item.model}{' '}
              <span className="muted">({item.sample === 'uniform' ? 'random pick' : 'scorer unsure'})</span>
            </h2>
            <span className="muted">
              scorer:{' '}
              {Object.entries(item.verdict)
                .map(([name, v]) => `${name} ${v.value.toFixed(2)}${v.label ? ` (${v.label})` : ''}`)
                .join(' · ')}
            </span>
          </header>
          <h3>Prompt</h3>
          <pre className="review-text" data-testid="review-prompt">
            {item.prompt}
          </pre>
          <h3>Response</h3>
          <pre className="review-text" data-testid="review-response">
            {item.response}
          </pre>
          {item.sources.length ? (
            <>
              <h3>Sources</h3>
              <ol>
                {item.sources.map((s) => (
                  <li key={s.id}>{s.text}</li>
                ))}
              </ol>
            </>
          ) : null}
          <div className="review-ask" data-testid="review-ask" data-ask={ask}>
            <strong>{ask.replace('_', ' ')}?</strong>{' '}
            {keysFor(ask).map((k) => (
              <button
                key={k.key}
                type="button"
                onClick={() => void answer(k.value)}
                data-testid={`review-key-${k.key}`}
              >
                <kbd>{k.key}</kbd> {k.text}
              </button>
            ))}
          </div>
        </section>
      ) : queue.data ? (
        <div className="card muted" data-testid="review-empty">
          Nothing left to review here.{' '}
          <button type="button" onClick={() => void queue.reload()}>
            Load more
          </button>{' '}
          {done.length ? (
            <button type="button" onClick={() => void undo()}>
              Undo last
            </button>
          ) : null}
        </div>
      ) : null}
    </>
  )
}
