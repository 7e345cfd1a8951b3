import type { ExchangeItem } from '@leash/shared'
import { listExchanges } from '../api/client.ts'
import { Link } from '../components/link.tsx'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtCount, fmtDateTime, fmtMs, truncate } from '../lib/format.ts'
import { hrefWithSticky } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'

const MAX_TURNS = 500
const SHOWN_SCORES = ['refusal', 'false_refusal', 'violation', 'reward']

/** Prompt tokens per turn as bars: how fast the conversation's context grows. */
function ContextGrowth({ turns }: { turns: ExchangeItem[] }) {
  const tokens = turns.map((t) => t.usage?.promptTokens ?? 0)
  const max = Math.max(...tokens, 1)
  const w = 560
  const h = 80
  const bw = Math.max(2, Math.min(24, w / Math.max(1, turns.length) - 2))
  return (
    <svg
      role="img"
      aria-label="Prompt tokens per turn"
      data-testid="session-context-growth"
      width="100%"
      viewBox={`0 0 ${w} ${h + 14}`}
      preserveAspectRatio="xMinYMin meet"
    >
      {tokens.map((v, i) => {
        const bh = (v / max) * h
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a turn's position is its identity
          <rect key={i} x={i * (bw + 2)} y={h - bh} width={bw} height={bh} fill="#3b6fd4">
            <title>{`turn ${i + 1}: ${fmtCount(v)} prompt tokens`}</title>
          </rect>
        )
      })}
      <text x={0} y={h + 12} fontSize={11} fill="#6b7280">
        prompt tokens per turn (max {fmtCount(max)})
      </text>
    </svg>
  )
}

/** One conversation, turn by turn: what was asked, what came back, tools called, how each turn scored. */
export function SessionPage({ id }: { id: string }) {
  const { project } = useSession()
  const res = useApi(`session:${project}:${id}`, () =>
    listExchanges({ limit: MAX_TURNS, offset: 0, project, filters: { session: id, sort: 'time' } }),
  )
  const turns = res.data?.items ?? []
  const toolCalls = turns.reduce((a, t) => a + t.toolCalls.length, 0)
  return (
    <div className="stack" data-testid="session-page">
      <PageHeader title="Session" sub={<code data-testid="session-id">{id}</code>}>
        <Link href={hrefWithSticky('/exchanges', { session: id })}>Open in the explorer</Link>
      </PageHeader>
      {res.error ? <ErrorBanner message={res.error} onRetry={() => void res.reload()} /> : null}
      {res.loading ? <Loading /> : null}
      {res.data && turns.length === 0 ? (
        <Empty title="No exchanges in this session" testId="session-empty">
          No exchange of this project carries the session id <code>{id}</code> (x-leash-session).
        </Empty>
      ) : null}
      {turns.length > 0 ? (
        <>
          <section className="card">
            <p data-testid="session-summary">
              {turns.length} turn{turns.length === 1 ? '' : 's'} from {fmtDateTime(turns[0]?.time ?? '')} to{' '}
              {fmtDateTime(turns[turns.length - 1]?.time ?? '')} · {toolCalls} tool call
              {toolCalls === 1 ? '' : 's'}
              {res.data && res.data.total > turns.length
                ? ` · first ${turns.length} of ${res.data.total} shown`
                : ''}
            </p>
            <ContextGrowth turns={turns} />
          </section>
          <section className="card">
            <table className="table" data-testid="session-turns">
              <thead>
                <tr>
                  <th className="num">#</th>
                  <th>Time</th>
                  <th>Prompt</th>
                  <th>Response</th>
                  <th className="num">Tokens in / out</th>
                  <th>Scores</th>
                </tr>
              </thead>
              <tbody>
                {turns.map((t, i) => (
                  <tr key={t.id} data-testid="session-turn">
                    <td className="num">
                      <Link href={hrefWithSticky(`/exchanges/${encodeURIComponent(t.id)}`)}>{i + 1}</Link>
                    </td>
                    <td className="nowrap small">
                      {fmtDateTime(t.time)}
                      <div className="muted">
                        {t.model || '—'} · {fmtMs(t.latencyMs)}
                      </div>
                    </td>
                    <td className="text small">
                      {truncate(t.prompt, 160) || <span className="muted">(empty)</span>}
                    </td>
                    <td className="text small">
                      {t.outcome !== 'ok' ? <span className="pill pill-bad">{t.outcome}</span> : null}{' '}
                      {truncate(t.responseText, 160)}
                      {t.toolCalls.map((c) => (
                        <div key={c.id} className="muted">
                          → {c.name}({truncate(c.arguments, 60)})
                        </div>
                      ))}
                    </td>
                    <td className="num nowrap small">
                      {t.usage
                        ? `${fmtCount(t.usage.promptTokens)} / ${fmtCount(t.usage.completionTokens)}`
                        : '—'}
                    </td>
                    <td className="small">
                      {SHOWN_SCORES.filter((n) => n in t.scores).map((n) => (
                        <span key={n} className="chip">
                          {n} {(t.scores[n] as number).toFixed(2)}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </div>
  )
}
