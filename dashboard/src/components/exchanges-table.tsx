import type { ExchangeItem } from '@leash/shared'
import { Fragment, useState } from 'react'
import { fmtCount, fmtDateTime, fmtMs, truncate, zoneLabel } from '../lib/format.ts'
import { hrefWithSticky } from '../lib/router.ts'
import { Link } from './link.tsx'

interface ExchangesTableProps {
  items: ExchangeItem[]
  total: number
  offset: number
  limit: number
  onOffset: (offset: number) => void
  title?: string
}

function RefusalCell({ item }: { item: ExchangeItem }) {
  const label = item.labels.refusal
  const p = item.scores.refusal
  if (label === undefined && p === undefined) return <span className="muted">not scored</span>
  const kind = label === 'full' ? 'bad' : label === 'partial' ? 'warn' : 'ok'
  return (
    <span className={`pill pill-${kind}`}>
      {label ?? '?'}
      {p !== undefined ? <span className="pill-num">{(p * 100).toFixed(0)}%</span> : null}
    </span>
  )
}

/** The text, then any tool calls as `→ name(arguments)`: a tool-call-only answer is not "empty". */
function responseSummary(item: ExchangeItem, max: number): string {
  const calls = item.toolCalls.map((c) => `→ ${c.name}(${c.arguments})`).join('\n')
  const full = [item.responseText, calls].filter((s) => s !== '').join('\n')
  return Number.isFinite(max) ? truncate(full, max) : full
}

function Detail({ item }: { item: ExchangeItem }) {
  const usage = item.usage
  return (
    <tr className="detail-row">
      <td colSpan={8}>
        <div className="detail">
          <div>
            <h3>Prompt</h3>
            <pre>{item.prompt || '(empty)'}</pre>
          </div>
          <div>
            <h3>Response</h3>
            <pre>{responseSummary(item, Number.POSITIVE_INFINITY) || '(empty)'}</pre>
          </div>
        </div>
        <div className="detail-meta muted">
          id {item.id} · {item.endpoint} · outcome {item.outcome} · finish {item.finishReason || '—'}
          {item.ttftMs !== null ? ` · ttft ${fmtMs(item.ttftMs)}` : ''}
          {usage ? ` · tokens ${usage.promptTokens} in / ${usage.completionTokens} out` : ''} ·{' '}
          <Link
            href={hrefWithSticky(`/exchanges/${encodeURIComponent(item.id)}`)}
            data-testid="exchange-open"
          >
            open
          </Link>
        </div>
      </td>
    </tr>
  )
}

export function ExchangesTable({
  items,
  total,
  offset,
  limit,
  onOffset,
  title = 'Latest responses',
}: ExchangesTableProps) {
  const [open, setOpen] = useState<string | null>(null)
  const last = Math.min(offset + items.length, total)
  return (
    <section className="card">
      <header className="card-head">
        <h2>{title}</h2>
        <div className="pager">
          <span className="muted" data-testid="exchanges-range">
            {total === 0 ? '0' : `${fmtCount(offset + 1)}–${fmtCount(last)}`} of {fmtCount(total)}
          </span>
          <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
            ← Newer
          </button>
          <button type="button" disabled={offset + limit >= total} onClick={() => onOffset(offset + limit)}>
            Older →
          </button>
        </div>
      </header>
      <table className="exchanges" data-testid="exchanges-table">
        <thead>
          <tr>
            <th>Time ({zoneLabel()})</th>
            <th>Model</th>
            <th>Status</th>
            <th className="num">Latency</th>
            <th>Stream</th>
            <th>Refusal</th>
            <th>Prompt</th>
            <th>Response</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const isOpen = open === item.id
            return (
              <Fragment key={item.id}>
                <tr
                  className={isOpen ? 'row open' : 'row'}
                  data-testid="exchange-row"
                  onClick={() => setOpen(isOpen ? null : item.id)}
                  onKeyDown={(e) => {
                    if (e.key !== 'Enter' && e.key !== ' ') return
                    e.preventDefault()
                    setOpen(isOpen ? null : item.id)
                  }}
                  tabIndex={0}
                  aria-expanded={isOpen}
                  title={isOpen ? 'Click to collapse' : 'Click to show the full prompt and response'}
                >
                  <td className="nowrap">{fmtDateTime(item.time, { zone: false })}</td>
                  <td className="nowrap" title={item.model}>
                    {item.model}
                  </td>
                  <td>
                    <span className={item.status >= 400 ? 'status status-err' : 'status'}>{item.status}</span>
                  </td>
                  <td className="num nowrap">{fmtMs(item.latencyMs)}</td>
                  <td>{item.stream ? 'yes' : 'no'}</td>
                  <td className="nowrap">
                    <RefusalCell item={item} />
                  </td>
                  <td className="text">{truncate(item.prompt, 70)}</td>
                  <td className="text">{responseSummary(item, 90)}</td>
                </tr>
                {isOpen ? <Detail item={item} /> : null}
              </Fragment>
            )
          })}
          {items.length === 0 ? (
            <tr>
              <td colSpan={8} className="muted center">
                No responses on this page.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  )
}
