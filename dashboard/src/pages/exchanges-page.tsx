import { useEffect, useState } from 'react'
import { listExchanges } from '../api/client.ts'
import { ExchangesTable } from '../components/exchanges-table.tsx'
import { FilterInput } from '../components/filter-input.tsx'
import { ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import {
  absoluteWindow,
  DIMENSION_FILTERS,
  filtersFromQuery,
  fromLocalInput,
  openFilters,
  SCORE_PRESETS,
  SORT_OPTIONS,
  STATUS_OPTIONS,
  toLocalInput,
} from '../lib/exchange-filters.ts'
import { RANGES } from '../lib/range.ts'
import { setQuery, useLocation } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'

const PAGE = 50

/** Adds an open-ended filter (`score.<name>` or `tag.<key>`) typed as `key=value`. */
function AddFilter() {
  const [draft, setDraft] = useState('')
  const [error, setError] = useState<string | null>(null)
  function add() {
    const m = draft.trim().match(/^((?:score|tag|label)\.[^=\s]+)=(.+)$/)
    if (!m?.[1] || !m[2])
      return setError('write score.<name>=gt:0.5, tag.<key>=<value> or label.<name>=<label>')
    setError(null)
    setDraft('')
    setQuery({ [m[1]]: m[2], offset: null })
  }
  return (
    <form
      className="field filter"
      onSubmit={(e) => {
        e.preventDefault()
        add()
      }}
    >
      <span>Add filter</span>
      <input
        value={draft}
        placeholder="score.violation=gt:0.5"
        data-testid="filter-add"
        onChange={(e) => setDraft(e.target.value)}
      />
      {error ? <span className="text-bad small">{error}</span> : null}
    </form>
  )
}

/** Find any exchange: every filter of `GET /api/exchanges`, held in the URL with an absolute from/to. */
export function ExchangesPage() {
  const { project } = useSession()
  const { query } = useLocation()
  const filters = filtersFromQuery(query)
  const offset = Number(query.get('offset') ?? 0) || 0

  // A link always names its window: an explorer opened without one pins the last hour, absolutely.
  useEffect(() => {
    if (!query.get('from') && !query.get('to')) setQuery(absoluteWindow(3600))
  }, [query])

  const key = `exchanges:${project}:${JSON.stringify(filters)}:${offset}`
  const ready = Boolean(filters.from || filters.to)
  const res = useApi(key, () => listExchanges({ limit: PAGE, offset, project, filters }), {
    enabled: ready,
    keepPrevious: true,
  })
  const set = (k: string, v: string) => setQuery({ [k]: v || null, offset: null }, { push: true })

  return (
    <>
      <PageHeader title="Exchanges" sub="Every exchange, filtered; the URL is the query, so it can be shared">
        <fieldset className="segmented" data-testid="explorer-range">
          <legend className="sr-only">Last</legend>
          {RANGES.map((r) => (
            <button
              key={r.key}
              type="button"
              onClick={() => setQuery({ ...absoluteWindow(r.seconds), offset: null }, { push: true })}
            >
              last {r.label}
            </button>
          ))}
        </fieldset>
      </PageHeader>
      <section className="card" data-testid="explorer-filters">
        <div className="filters">
          <label className="field filter filter-time">
            <span>From</span>
            <input
              type="datetime-local"
              data-testid="filter-from"
              value={toLocalInput(filters.from)}
              onChange={(e) => set('from', fromLocalInput(e.target.value))}
            />
          </label>
          <label className="field filter filter-time">
            <span>To</span>
            <input
              type="datetime-local"
              data-testid="filter-to"
              value={toLocalInput(filters.to)}
              onChange={(e) => set('to', fromLocalInput(e.target.value))}
            />
          </label>
          {DIMENSION_FILTERS.map((d) => (
            <FilterInput
              key={d.key}
              label={d.label}
              value={filters[d.key] ?? ''}
              onCommit={(v) => set(d.key, v)}
            />
          ))}
          <label className="field filter">
            <span>Status</span>
            <select
              data-testid="filter-status"
              value={filters.status ?? ''}
              onChange={(e) => set('status', e.target.value)}
            >
              {STATUS_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
              {filters.status && !STATUS_OPTIONS.some((o) => o.value === filters.status) ? (
                <option value={filters.status}>{filters.status}</option>
              ) : null}
            </select>
          </label>
          <FilterInput
            label="Text"
            value={filters.q ?? ''}
            onCommit={(v) => set('q', v)}
            placeholder="in prompt or response"
          />
          <label className="field filter">
            <span>Sort</span>
            <select
              data-testid="filter-sort"
              value={filters.sort ?? ''}
              onChange={(e) => set('sort', e.target.value)}
            >
              {SORT_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
              {filters.sort && !SORT_OPTIONS.some((o) => o.value === filters.sort) ? (
                <option value={filters.sort}>{filters.sort}</option>
              ) : null}
            </select>
          </label>
          <AddFilter />
        </div>
        <div className="chips mt" data-testid="explorer-chips">
          <span className="muted small">Only:</span>
          {SCORE_PRESETS.map((p) => {
            const on = filters[p.key] === p.value
            return (
              <button
                key={p.key}
                type="button"
                className={on ? 'chip chip-on' : 'chip'}
                aria-pressed={on}
                data-testid={`preset-${p.label.replace(/\s+/g, '-')}`}
                onClick={() => set(p.key, on ? '' : p.value)}
              >
                {p.label}
              </button>
            )
          })}
          {openFilters(filters)
            .filter(([k, v]) => !SCORE_PRESETS.some((p) => p.key === k && p.value === v))
            .map(([k, v]) => (
              <button
                key={k}
                type="button"
                className="chip chip-on"
                title="remove"
                onClick={() => set(k, '')}
              >
                {k}={v} ✕
              </button>
            ))}
        </div>
      </section>
      {res.error ? (
        <ErrorBanner message={res.error} prefix="Could not search" onRetry={() => void res.reload()} />
      ) : null}
      {!res.data && !res.error ? <Loading /> : null}
      {res.data ? (
        <ExchangesTable
          title="Matching exchanges"
          items={res.data.items}
          total={res.data.total}
          offset={offset}
          limit={PAGE}
          onOffset={(o) => setQuery({ offset: o ? String(o) : null })}
        />
      ) : null}
    </>
  )
}
