import { fmtCount, fmtMs, fmtPercent } from '../lib/format.ts'
import type { Summary } from '../lib/series.ts'

interface TileProps {
  label: string
  value: string
  testId: string
  hint?: string | undefined
}

function Tile({ label, value, testId, hint }: TileProps) {
  const empty = value === 'no data'
  return (
    <div className="tile" data-testid={testId} title={hint}>
      <div className="tile-label">{label}</div>
      <div className={empty ? 'tile-value tile-empty' : 'tile-value'}>{value}</div>
    </div>
  )
}

export function StatTiles({ summary, rangeLabel }: { summary: Summary | null; rangeLabel: string }) {
  const s = summary
  const approx = s?.approximate ? '≈ ' : ''
  const approxHint = s?.approximate ? 'Combined from several buckets: approximate' : undefined
  const p50 = s ? fmtMs(s.p50) : '…'
  const p95 = s ? fmtMs(s.p95) : '…'
  return (
    <div className="tiles">
      <Tile
        label={`Requests · last ${rangeLabel}`}
        value={s ? fmtCount(s.requests) : '…'}
        testId="stat-requests"
      />
      <Tile label="Error rate" value={s ? fmtPercent(s.errorRate, 2) : '…'} testId="stat-error-rate" />
      <Tile
        label={`Refusal rate · average, last ${rangeLabel}`}
        value={s ? fmtPercent(s.refusalRate) : '…'}
        testId="stat-refusal-rate"
        hint="Refusals among all scored responses over the whole range (the Safety card below shows its latest bucket)"
      />
      <Tile
        label="Latency p50"
        value={s?.p50 != null ? approx + p50 : p50}
        testId="stat-latency-p50"
        hint={approxHint}
      />
      <Tile
        label="Latency p95"
        value={s?.p95 != null ? approx + p95 : p95}
        testId="stat-latency-p95"
        hint={approxHint}
      />
    </div>
  )
}
