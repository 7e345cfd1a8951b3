import type { IngestStatusBody } from '@leash/shared'
import { useEffect, useRef, useState } from 'react'
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { ingestStatus } from '../api/client.ts'
import { RefreshControls } from '../components/controls.tsx'
import { ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtBytes, fmtCount, fmtDateTime } from '../lib/format.ts'
import { useApi } from '../lib/use-api.ts'
import { ageSeconds, useNow } from '../lib/use-now.ts'

const REFRESH_MS = 5000
const HISTORY = 120

function fmtAge(ms: number): string {
  if (ms <= 0) return 'none waiting'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 120) return `${s.toFixed(s < 10 ? 1 : 0)} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}

function Metric({
  label,
  value,
  sub,
  testId,
  tone,
}: {
  label: string
  value: string
  sub?: string
  testId: string
  tone?: 'bad' | 'warn'
}) {
  return (
    <div className={`tile${tone ? ` tile-${tone}` : ''}`} data-testid={testId}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      {sub ? <div className="tile-sub muted">{sub}</div> : null}
    </div>
  )
}

function health(s: IngestStatusBody): { tone: 'ok' | 'warn' | 'bad'; text: string } {
  if (s.spool.full)
    return { tone: 'bad', text: `Spool full: the '${s.spool.policy}' policy is dropping exchanges.` }
  if (s.spool.nearFull)
    return { tone: 'warn', text: 'Spool above 80% of its cap: ClickHouse is not keeping up.' }
  if (s.insert.lastError)
    return { tone: 'warn', text: `Inserts are failing and being retried: ${s.insert.lastError}` }
  return { tone: 'ok', text: 'Ingest is healthy: exchanges reach ClickHouse as they arrive.' }
}

interface Sample {
  t: number
  records: number
  rate: number
}

/** Spool and insert health of this Leash process, refreshed every 5 s. */
export function SystemPage() {
  const [paused, setPaused] = useState(false)
  const res = useApi('ingest-status', ingestStatus, { refreshMs: REFRESH_MS, paused, keepPrevious: true })
  const now = useNow()
  const [history, setHistory] = useState<Sample[]>([])
  const lastAt = useRef<number | null>(null)
  useEffect(() => {
    if (!res.data || res.updatedAt === null || res.updatedAt === lastAt.current) return
    lastAt.current = res.updatedAt
    const sample = { t: res.updatedAt, records: res.data.spool.records, rate: res.data.insert.rowsPerSecond }
    setHistory((h) => [...h.slice(-(HISTORY - 1)), sample])
  }, [res.data, res.updatedAt])

  const s = res.data
  const h = s ? health(s) : null
  return (
    <>
      <PageHeader title="System" sub="Ingest: the durable spool between the gateway and ClickHouse">
        <RefreshControls age={ageSeconds(res.updatedAt, now)} paused={paused} onPaused={setPaused} />
      </PageHeader>
      {res.error ? (
        <ErrorBanner message={res.error} prefix="Could not refresh" onRetry={() => void res.reload()} />
      ) : null}
      {!s && res.loading ? <Loading height={220} /> : null}
      {s && h ? (
        <>
          <div
            className={`banner banner-${h.tone === 'ok' ? 'ok' : h.tone === 'warn' ? 'warn' : 'error'}`}
            data-testid="ingest-health"
          >
            {h.text}
          </div>
          <div className="tiles" data-testid="ingest-status">
            <Metric
              label="Spool depth"
              value={`${fmtCount(s.spool.records)} exchanges`}
              sub={`${fmtBytes(s.spool.bytes)} of ${fmtBytes(s.spool.maxBytes)} cap · ${s.spool.segments} segment${s.spool.segments === 1 ? '' : 's'}`}
              testId="ingest-spool-depth"
              tone={s.spool.full ? 'bad' : s.spool.nearFull ? 'warn' : undefined}
            />
            <Metric
              label="Oldest unstored exchange"
              value={fmtAge(s.spool.oldestAgeMs)}
              sub="age of the oldest record in the spool"
              testId="ingest-oldest-age"
              tone={s.spool.oldestAgeMs > 60_000 ? 'warn' : undefined}
            />
            <Metric
              label="Insert rate"
              value={`${s.insert.rowsPerSecond.toFixed(s.insert.rowsPerSecond < 10 ? 2 : 0)} rows/s`}
              sub="exchange rows stored per second, last minute"
              testId="ingest-insert-rate"
            />
            <Metric
              label="Stored"
              value={fmtCount(s.insert.written)}
              sub={`${fmtCount(s.insert.scored)} score rows · ${fmtCount(s.insert.invalid)} invalid dropped`}
              testId="ingest-written"
            />
            <Metric
              label="Errors"
              value={fmtCount(s.insert.errors + s.spool.writeErrors)}
              sub={`${fmtCount(s.insert.errors)} insert (retried) · ${fmtCount(s.spool.writeErrors)} disk write · ${fmtCount(s.torn)} torn`}
              testId="ingest-errors"
              tone={s.insert.errors + s.spool.writeErrors > 0 ? 'warn' : undefined}
            />
          </div>
          <div className="charts charts-2">
            <section className="card chart-card">
              <header className="card-head">
                <h2>Spool depth</h2>
                <span className="muted">exchanges waiting, sampled every 5 s while this page is open</span>
              </header>
              <div className="chart-body">
                <ResponsiveContainer width="100%" height={190}>
                  <LineChart data={history} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
                    <CartesianGrid stroke="#eef0f3" vertical={false} />
                    <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} hide />
                    <YAxis
                      tick={{ fontSize: 11, fill: '#6b7280' }}
                      tickLine={false}
                      axisLine={false}
                      allowDecimals={false}
                    />
                    <Tooltip
                      labelFormatter={(t) =>
                        typeof t === 'number' ? fmtDateTime(new Date(t).toISOString()) : ''
                      }
                    />
                    <Line
                      dataKey="records"
                      name="exchanges"
                      stroke="#3b6fd4"
                      strokeWidth={2}
                      dot={false}
                      isAnimationActive={false}
                    />
                  </LineChart>
                </ResponsiveContainer>
              </div>
            </section>
            <section className="card">
              <header className="card-head">
                <h2>Details</h2>
              </header>
              <dl className="facts">
                <dt>Last stored batch</dt>
                <dd>{s.insert.lastSuccessAt ? fmtDateTime(s.insert.lastSuccessAt) : 'none yet'}</dd>
                <dt>Last insert error</dt>
                <dd className={s.insert.lastError ? 'text-bad' : 'muted'}>{s.insert.lastError ?? 'none'}</dd>
                <dt>Full policy</dt>
                <dd>{s.spool.policy}</dd>
                <dt>Dropped (spool full)</dt>
                <dd>
                  {fmtCount(s.spool.droppedNew)} new · {fmtCount(s.spool.droppedOld)} old
                </dd>
              </dl>
            </section>
          </div>
        </>
      ) : null}
    </>
  )
}
