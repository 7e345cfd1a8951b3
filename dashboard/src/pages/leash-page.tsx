import type { LeashView } from '@leash/shared'
import { useState } from 'react'
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { leashView } from '../api/client.ts'
import { ChartCard } from '../components/chart-card.tsx'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtCount, fmtDateTime, truncate } from '../lib/format.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'

const RANGES = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
  { label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const

const GRID = {
  display: 'grid',
  gridTemplateColumns: 'repeat(auto-fit, minmax(280px, 1fr))',
  gap: '1rem',
} as const

type Est = { value: number; lo: number; hi: number }
const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–')
const ci = (e: Est) => `[${f(e.lo)}, ${f(e.hi)}]`

function Tile({
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
  tone?: 'bad'
}) {
  return (
    <div className={`tile${tone ? ` tile-${tone}` : ''}`} data-testid={testId}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      {sub ? <div className="tile-sub muted">{sub}</div> : null}
    </div>
  )
}

function KlTiles({ v }: { v: LeashView }) {
  if (!v.kl) return null
  const budget = v.reference?.klBudget ?? null
  const over = budget !== null && v.kl.mean.lo > budget
  return (
    <div className="tiles">
      <Tile
        label="KL(policy ‖ reference), mean per response"
        value={`${f(v.kl.mean.value)} nats`}
        sub={`95% ${ci(v.kl.mean)} · n=${fmtCount(v.kl.n)}${budget !== null ? ` · budget ${budget}` : ''}`}
        testId="leash-kl-mean"
        {...(over ? { tone: 'bad' as const } : {})}
      />
      <Tile
        label="Trimmed mean (10%)"
        value={f(v.kl.trimmedMean.value)}
        sub={`95% ${ci(v.kl.trimmedMean)}`}
        testId="leash-kl-trimmed"
      />
      <Tile label="p95" value={f(v.kl.p95.value)} sub={`95% ${ci(v.kl.p95)}`} testId="leash-kl-p95" />
      {v.klK1 ? (
        <Tile
          label="k1 estimator (mean)"
          value={f(v.klK1.mean.value)}
          sub={`95% ${ci(v.klK1.mean)}`}
          testId="leash-kl-k1"
        />
      ) : null}
    </div>
  )
}

function PairedTiles({ v }: { v: LeashView }) {
  const p = v.paired
  if (!p) return null
  return (
    <div className="tiles">
      <Tile
        label="Refusal delta (policy − reference)"
        value={f(p.refusalDelta.value)}
        sub={`95% ${ci(p.refusalDelta)} · n=${p.n}`}
        testId="leash-refusal-delta"
      />
      <Tile
        label="Reward delta"
        value={f(p.rewardDelta.value)}
        sub={`95% ${ci(p.rewardDelta)} · sign test p=${p.rewardSign.p.toPrecision(2)}`}
        testId="leash-reward-delta"
      />
      <Tile
        label="Length ratio"
        value={f(p.lengthRatio.value, 2)}
        sub={`95% ${ci(p.lengthRatio)}`}
        testId="leash-length-ratio"
      />
    </div>
  )
}

function Counters({ v }: { v: LeashView }) {
  const c = v.counters
  if (!c) return null
  const dropped = c.droppedBudget + c.droppedQueueFull + c.droppedTokenization + c.droppedUnscorable
  return (
    <p className="muted small" data-testid="leash-counters">
      Since this Leash started: {fmtCount(c.sampled)} sampled, {fmtCount(c.compared)} compared,{' '}
      {fmtCount(c.failed)} failed, {fmtCount(c.delayed)} delayed, {fmtCount(dropped)} dropped (
      {c.droppedBudget} over budget, {c.droppedQueueFull} queue full, {c.droppedTokenization} tokenization
      mismatch), {fmtCount(c.writeFailed)} lost on write{c.lastError ? ` · last error: ${c.lastError}` : ''}.
    </p>
  )
}

function SeriesChart({ v }: { v: LeashView }) {
  const budget = v.reference?.klBudget ?? null
  const paired = v.paired !== null && v.kl === null
  const key = paired ? 'refusalDelta' : 'kl'
  const rows = v.series.map((s) => ({ t: Date.parse(s.t), y: s[key] }))
  return (
    <ChartCard
      title={paired ? 'Refusal delta over time' : 'Divergence over time (k3, mean per bucket)'}
      unit={paired ? 'rate' : 'nats'}
      testId="leash-series"
      empty={rows.length === 0}
    >
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(t: number) => new Date(t).toISOString().slice(5, 16).replace('T', ' ')}
          />
          <YAxis />
          <Tooltip labelFormatter={(t) => new Date(Number(t)).toISOString()} />
          <Line
            dataKey="y"
            name={paired ? 'refusal delta' : 'KL'}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
          {budget !== null && !paired ? (
            <ReferenceLine y={budget} stroke="#c0392b" strokeDasharray="4 4" label="budget" />
          ) : null}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  )
}

function Moved({ v }: { v: LeashView }) {
  if (!v.kl) return null
  return (
    <div style={GRID}>
      <section className="card" data-testid="leash-top-prompts">
        <h2>Prompts that moved most</h2>
        <table className="table">
          <thead>
            <tr>
              <th>prompt (end)</th>
              <th>KL</th>
              <th>token</th>
            </tr>
          </thead>
          <tbody>
            {v.topPrompts.map((p) => (
              <tr key={p.eventId}>
                <td>
                  <a href={`/exchanges/${p.eventId}`}>{truncate(p.prompt.slice(-120), 120)}</a>
                </td>
                <td>{f(p.kl)}</td>
                <td>
                  <code>{JSON.stringify(p.maxToken)}</code> ({f(p.maxTerm)})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" data-testid="leash-top-tokens">
        <h2>Tokens that moved most</h2>
        <table className="table">
          <thead>
            <tr>
              <th>token</th>
              <th>times largest</th>
              <th>mean term</th>
            </tr>
          </thead>
          <tbody>
            {v.topTokens.map((t) => (
              <tr key={t.token}>
                <td>
                  <code>{JSON.stringify(t.token)}</code>
                </td>
                <td>{t.count}</td>
                <td>{f(t.meanTerm)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  )
}

function Pairs({ v }: { v: LeashView }) {
  if (v.pairs.length === 0) return null
  return (
    <section className="card" data-testid="leash-pairs">
      <h2>Side by side: policy and reference on the same prompt</h2>
      {v.pairs.map((p) => (
        <div key={p.eventId} className="pair" style={{ borderTop: '1px solid #e3e6ee', padding: '.5rem 0' }}>
          <div className="muted small">
            {fmtDateTime(p.time)} · refusal Δ {f(p.refusalDelta, 0)} · reward Δ {f(p.rewardDelta, 2)} · length
            ×{f(p.lengthRatio, 2)}
          </div>
          <p>
            <strong>Prompt:</strong> {truncate(p.prompt, 400)}
          </p>
          <div style={GRID}>
            <div data-testid="leash-pair-policy">
              <strong>Policy</strong>
              <p style={{ whiteSpace: 'pre-wrap' }}>{truncate(p.policyText, 1200)}</p>
            </div>
            <div data-testid="leash-pair-reference">
              <strong>Reference</strong>
              <p style={{ whiteSpace: 'pre-wrap' }}>{truncate(p.referenceText, 1200)}</p>
            </div>
          </div>
        </div>
      ))}
    </section>
  )
}

/** The Leash panel (issue 19): how far each deployed model has drifted from its reference. */
export function LeashPage() {
  const { project } = useSession()
  const [rangeMs, setRangeMs] = useState<number>(RANGES[1].ms)
  const [model, setModel] = useState('')
  const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000)
  const from = new Date(to.getTime() - rangeMs)
  const view = useApi(`leash:${project}:${model}:${rangeMs}`, () =>
    leashView({ project, ...(model ? { model } : {}), from: from.toISOString(), to: to.toISOString() }),
  )
  const v = view.data
  return (
    <div data-testid="leash-page">
      <PageHeader
        title="Leash"
        sub={
          v?.reference
            ? `Reference ${v.reference.model} (${v.reference.mode} mode)`
            : 'Divergence of each model from its reference'
        }
      >
        <select
          aria-label="Model"
          value={model}
          onChange={(e) => setModel(e.target.value)}
          data-testid="leash-model"
        >
          <option value="">Busiest model</option>
          {(v?.models ?? []).map((m) => (
            <option key={m.model} value={m.model}>
              {m.model} ({m.n})
            </option>
          ))}
        </select>
        <select aria-label="Range" value={rangeMs} onChange={(e) => setRangeMs(Number(e.target.value))}>
          {RANGES.map((r) => (
            <option key={r.ms} value={r.ms}>
              {r.label}
            </option>
          ))}
        </select>
      </PageHeader>
      {view.error ? <ErrorBanner message={view.error} prefix="Could not load the Leash panel" /> : null}
      {!v && !view.error ? <Loading /> : null}
      {v && !v.model ? (
        <Empty title="No reference comparisons in this range" testId="leash-empty">
          Set <code>reference</code> in the project settings (base URL, model, mode, sample rate, budget);
          sampled exchanges are compared after they are recorded, never on the call's path.
        </Empty>
      ) : null}
      {v?.model ? (
        <>
          <KlTiles v={v} />
          <PairedTiles v={v} />
          <Counters v={v} />
          <SeriesChart v={v} />
          <Moved v={v} />
          <Pairs v={v} />
        </>
      ) : null}
    </div>
  )
}
