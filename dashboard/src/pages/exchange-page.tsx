import type { ExchangeDetail } from '@leash/shared'
import { getExchange } from '../api/client.ts'
import { LabelChips } from '../components/alert-bits.tsx'
import { FeedbackList } from '../components/exchange-feedback.tsx'
import { Link } from '../components/link.tsx'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtDateTime, fmtMs } from '../lib/format.ts'
import { hrefWithSticky } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (content === null || content === undefined) return ''
  if (Array.isArray(content)) {
    // OpenAI content parts: show text parts as text, anything else as JSON.
    return content
      .map((p) =>
        p && typeof p === 'object' && 'text' in p && typeof p.text === 'string' ? p.text : JSON.stringify(p),
      )
      .join('\n')
  }
  return JSON.stringify(content, null, 2)
}

function fmtUsd(v: number): string {
  if (v === 0) return '$0'
  return v < 0.01 ? `$${v.toPrecision(3)}` : `$${v.toFixed(4)}`
}

function Conversation({ d }: { d: ExchangeDetail }) {
  // Turns have no id of their own; their position in the request is their identity.
  const turns = d.messages.map((m, n) => ({ ...m, key: `turn-${n}` }))
  return (
    <section className="card" data-testid="exchange-conversation">
      <header className="card-head">
        <h2>Conversation</h2>
        <span className="muted">{d.endpoint}</span>
      </header>
      <ol className="turns">
        {turns.length === 0 ? (
          <li className="muted">No request messages were recorded.</li>
        ) : (
          turns.map((m) => (
            <li
              key={m.key}
              className={`turn turn-${m.role === 'user' ? 'user' : m.role === 'assistant' ? 'assistant' : 'other'}`}
            >
              <div className="turn-role">{m.role}</div>
              <pre>{contentText(m.content) || '(empty)'}</pre>
            </li>
          ))
        )}
        <li className="turn turn-response" data-testid="exchange-response">
          <div className="turn-role">
            response{d.finishReason ? <span className="muted"> · finish {d.finishReason}</span> : null}
          </div>
          {d.responseText !== '' || d.toolCalls.length === 0 ? (
            <pre>{d.responseText || '(empty)'}</pre>
          ) : null}
          {d.toolCalls.length > 0 ? (
            <div data-testid="exchange-tool-calls">
              {d.toolCalls.map((c) => (
                <pre key={c.id} className="tool-call">
                  → {c.name}({c.arguments}) <span className="muted">{c.id}</span>
                </pre>
              ))}
            </div>
          ) : null}
        </li>
      </ol>
      {d.errorMessage ? (
        <div className="banner banner-error mt" data-testid="exchange-error">
          {d.errorMessage}
        </div>
      ) : null}
    </section>
  )
}

/** An absolute window of a day either side of a moment, for links that must mean the same tomorrow. */
function dayAround(iso: string): { from: string; to: string } {
  const t = Date.parse(iso)
  return { from: new Date(t - 86_400_000).toISOString(), to: new Date(t + 86_400_000).toISOString() }
}

function Facts({ d }: { d: ExchangeDetail }) {
  const u = d.usage
  const tags = d.tags
  return (
    <section className="card" data-testid="exchange-facts">
      <h2>Call</h2>
      <dl className="facts">
        <dt>Time</dt>
        <dd>{fmtDateTime(d.time)}</dd>
        <dt>Model</dt>
        <dd>
          {d.model ? <code>{d.model}</code> : <span className="muted">none recorded (the call failed)</span>}
        </dd>
        <dt>Route / upstream</dt>
        <dd>
          {d.route || '—'} → {d.upstream || '—'}
        </dd>
        <dt>Status</dt>
        <dd>
          <span className={d.status >= 400 ? 'status status-err' : 'status'}>{d.status}</span>{' '}
          <span className={`pill pill-${d.outcome === 'ok' ? 'ok' : 'bad'}`}>{d.outcome}</span>
          {d.stream ? <span className="pill pill-info">stream</span> : null}
        </dd>
        <dt>Latency</dt>
        <dd>
          {fmtMs(d.latencyMs)}{' '}
          <span className="muted">· TTFT {d.ttftMs === null ? '—' : fmtMs(d.ttftMs)}</span>
        </dd>
        <dt>Tokens</dt>
        <dd data-testid="exchange-tokens">
          {u ? (
            <>
              {u.promptTokens.toLocaleString('en-US')} in ({u.cachedTokens.toLocaleString('en-US')} cached) /{' '}
              {u.completionTokens.toLocaleString('en-US')} out
              {d.usageSource ? <span className="muted"> · {d.usageSource}</span> : null}
            </>
          ) : (
            <span className="muted">not reported</span>
          )}
        </dd>
        <dt>Cost</dt>
        <dd>{fmtUsd(d.costUsd)}</dd>
        <dt>User / session</dt>
        <dd>
          {tags.user ? (
            <Link
              href={hrefWithSticky('/exchanges', { user: tags.user, ...dayAround(d.time) })}
              data-testid="exchange-user-link"
            >
              {tags.user}
            </Link>
          ) : (
            '—'
          )}{' '}
          /{' '}
          {tags.session ? (
            <Link
              href={hrefWithSticky(`/sessions/${encodeURIComponent(tags.session)}`)}
              data-testid="exchange-session-link"
            >
              {tags.session}
            </Link>
          ) : (
            '—'
          )}
        </dd>
        <dt>Feature / policy</dt>
        <dd>
          {tags.feature || '—'} / {tags.policyVersion || '—'}
        </dd>
        <dt>Tags</dt>
        <dd data-testid="exchange-tags">
          {Object.keys(tags.extra).length > 0 ? (
            <LabelChips labels={tags.extra} />
          ) : (
            <span className="muted">—</span>
          )}
        </dd>
      </dl>
    </section>
  )
}

function Sources({ d }: { d: ExchangeDetail }) {
  if (d.sources.length === 0) return null
  return (
    <section className="card" data-testid="exchange-sources">
      <h2>Sources</h2>
      <ol className="sources">
        {d.sources.map((s) => (
          <li key={s.id}>
            <code>{s.id}</code>{' '}
            {s.url ? (
              <a href={s.url} target="_blank" rel="noreferrer noopener" className="small">
                {s.url}
              </a>
            ) : null}
            <pre>{s.text}</pre>
          </li>
        ))}
      </ol>
    </section>
  )
}

function Tools({ d }: { d: ExchangeDetail }) {
  if (d.tools.length === 0) return null
  return (
    <section className="card" data-testid="exchange-tools">
      <h2>Declared tools</h2>
      <pre className="json-block">{JSON.stringify(d.tools, null, 2)}</pre>
    </section>
  )
}

function Scores({ d }: { d: ExchangeDetail }) {
  const groups = new Map<string, ExchangeDetail['scorers']>()
  for (const s of d.scorers) {
    const key = `${s.scorer}\u0000${s.version}`
    groups.set(key, [...(groups.get(key) ?? []), s])
  }
  return (
    <section className="card" data-testid="exchange-scores">
      <h2>Scores</h2>
      {d.scorers.length === 0 && d.outcome !== 'ok' ? (
        <Empty title="Not scored: the call failed" testId="exchange-not-scored">
          Leash scores answers, and this call ended in <code>{d.outcome}</code> (HTTP {d.status}), so there is
          nothing to score.
        </Empty>
      ) : d.scorers.length === 0 ? (
        <Empty title="Not scored yet">Scores arrive shortly after the exchange; reload in a moment.</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Scorer</th>
              <th>Score</th>
              <th className="num">Value</th>
              <th>Label</th>
            </tr>
          </thead>
          <tbody>
            {[...groups.values()].flatMap((rows) =>
              rows.map((s, i) => (
                <tr key={`${s.scorer}/${s.version}/${s.name}`} data-testid="score-row">
                  <td>
                    {i === 0 ? (
                      <strong title={`${s.scorer} version ${s.version}`} data-testid="scorer-name">
                        {s.scorer}
                      </strong>
                    ) : null}
                  </td>
                  <td>
                    <code>{s.name}</code>
                  </td>
                  <td className="num">{Number.isInteger(s.value) ? s.value : s.value.toFixed(3)}</td>
                  <td>{s.label || <span className="muted">—</span>}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** One exchange, whole: what was asked, what came back, how the call went and how it scored. */
export function ExchangePage({ id }: { id: string }) {
  const { project } = useSession()
  const state = useApi(`exchange:${project}:${id}`, () => getExchange(id, project))
  const back = <Link href={hrefWithSticky('/')}>← Overview</Link>
  const header = (
    <PageHeader title="Exchange" sub={<code data-testid="exchange-id">{id}</code>}>
      {back}
    </PageHeader>
  )
  if (state.loading) {
    return (
      <div className="stack">
        {header}
        <Loading />
      </div>
    )
  }
  if (state.error !== null && state.data === null) {
    return (
      <div className="stack">
        {header}
        <ErrorBanner
          message={state.error}
          prefix="Could not load the exchange"
          onRetry={() => void state.reload()}
        />
      </div>
    )
  }
  const d = state.data?.found ?? null
  if (!d) {
    return (
      <div className="stack">
        {header}
        <Empty title="No such exchange" testId="exchange-not-found">
          No exchange with this id in this project (it may belong to another project or be past retention).
        </Empty>
      </div>
    )
  }
  return (
    <div className="stack" data-testid="exchange-page">
      {header}
      <div className="exchange-grid">
        <div className="stack">
          <Conversation d={d} />
          <Sources d={d} />
          <Tools d={d} />
        </div>
        <div className="stack">
          <Facts d={d} />
          <Scores d={d} />
          <FeedbackList items={d.feedback} />
        </div>
      </div>
    </div>
  )
}
