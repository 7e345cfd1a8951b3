import type { TooltipContentProps } from 'recharts'
import {
  Area,
  CartesianGrid,
  ComposedChart,
  ErrorBar,
  Legend,
  Line,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { fmtDateTime, fmtTick } from '../lib/format.ts'
import { fmtAxis, fmtValue } from '../lib/units.ts'

export interface BandPoint {
  /** Bucket start, epoch ms. */
  t: number
  value: number | null
  lo: number | null
  hi: number | null
  n: number
  insufficient: boolean
}

export interface BandSeries {
  key: string
  label: string
  points: BandPoint[]
}

interface BandChartProps {
  series: BandSeries[]
  unit: string
  from: number
  to: number
  stepMs: number
  minSamples: number
  height?: number
  /** Small multiples: no legend, fewer ticks. */
  compact?: boolean
  /** Reference marks: threshold, clear threshold and baseline lines; firing spans shaded. */
  marks?: ChartMarks | undefined
}

export interface ChartMarks {
  lines?: Array<{ y: number; label: string; color: string; dashed?: boolean }>
  spans?: Array<{ from: number; to: number; label: string }>
}

export const SERIES_COLORS = [
  '#3b6fd4',
  '#c05621',
  '#2f855a',
  '#805ad5',
  '#b83280',
  '#2c7a7b',
  '#744210',
  '#4a5568',
]
const AXIS = { fontSize: 11, fill: '#6b7280' }

type Row = { t: number } & Record<string, number | [number, number] | null>

function rowsOf(series: BandSeries[]): Row[] {
  const byTime = new Map<number, Row>()
  series.forEach((s, i) => {
    for (const p of s.points) {
      const row = byTime.get(p.t) ?? { t: p.t }
      row[`v${i}`] = p.value
      row[`b${i}`] = p.lo !== null && p.hi !== null && p.value !== null ? [p.lo, p.hi] : null
      byTime.set(p.t, row)
    }
    // A lone value has no neighbours to draw a band between: give it an error bar instead.
    s.points.forEach((p, j) => {
      const lone = (s.points[j - 1]?.value ?? null) === null && (s.points[j + 1]?.value ?? null) === null
      const row = byTime.get(p.t)
      if (row && lone && p.value !== null && p.lo !== null && p.hi !== null) {
        row[`e${i}`] = [p.value - p.lo, p.hi - p.value]
      }
    })
  })
  return [...byTime.values()].sort((a, b) => a.t - b.t)
}

/** A bucket with some samples, but fewer than the minimum (an empty bucket is "no data"). */
export function isInsufficient(p: BandPoint): boolean {
  return p.value === null && p.insufficient && p.n > 0
}

/** Contiguous runs of insufficient buckets in a single series, shaded so a gap never reads as zero. */
function insufficientSpans(points: BandPoint[], stepMs: number): Array<[number, number]> {
  const spans: Array<[number, number]> = []
  for (const p of points) {
    if (!isInsufficient(p)) continue
    const last = spans[spans.length - 1]
    if (last && last[1] === p.t) last[1] = p.t + stepMs
    else spans.push([p.t, p.t + stepMs])
  }
  return spans
}

/** Value line(s) with the 95% interval as a band; insufficient buckets are gaps, shaded grey. */
export function BandChart({
  series,
  unit,
  from,
  to,
  stepMs,
  minSamples,
  height = 300,
  compact = false,
  marks,
}: BandChartProps) {
  const rows = rowsOf(series)
  const byT = new Map<number, number>(rows.map((r, i) => [r.t, i]))
  const rangeSeconds = (to - from) / 1000
  const single = series.length === 1 ? series[0] : undefined
  const spans = single ? insufficientSpans(single.points, stepMs) : []

  // A render function, not a component: recharts calls it with the hovered bucket.
  const tooltipBody = ({ active, label }: TooltipContentProps) => {
    if (!active || typeof label !== 'number' || !byT.has(label)) return null
    return (
      <div className="chart-tip">
        <div className="chart-tip-time">{fmtDateTime(new Date(label).toISOString())}</div>
        {series.map((s, i) => {
          const p = s.points.find((x) => x.t === label)
          if (!p) return null
          return (
            <div key={s.key} className="chart-tip-row">
              <span className="swatch" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} />
              {series.length > 1 ? <span className="chart-tip-label">{s.label}</span> : null}
              {p.value === null ? (
                <span className="muted">
                  {isInsufficient(p) ? `insufficient data (n=${p.n} < ${minSamples})` : 'no data'}
                </span>
              ) : (
                <span>
                  <strong>{fmtValue(p.value, unit)}</strong>
                  {p.lo !== null && p.hi !== null ? (
                    <span className="muted">
                      {' '}
                      [{fmtValue(p.lo, unit)} – {fmtValue(p.hi, unit)}]
                    </span>
                  ) : null}
                  <span className="muted"> n={p.n}</span>
                </span>
              )}
            </div>
          )
        })}
      </div>
    )
  }

  return (
    <ResponsiveContainer width="100%" height={height}>
      <ComposedChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
        <CartesianGrid stroke="#eef0f3" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[from, to]}
          tickFormatter={(t: number) => fmtTick(t, rangeSeconds)}
          tick={AXIS}
          minTickGap={compact ? 60 : 40}
          tickLine={false}
        />
        <YAxis
          tick={AXIS}
          tickLine={false}
          axisLine={false}
          width={compact ? 44 : 56}
          tickCount={compact ? 3 : 5}
          tickFormatter={(v: number) => fmtAxis(v, unit)}
          domain={unit === 'ratio' ? [0, 'auto'] : ['auto', 'auto']}
        />
        {spans.map(([x1, x2]) => (
          <ReferenceArea key={x1} x1={x1} x2={x2} fill="#9aa3ae" fillOpacity={0.12} ifOverflow="hidden" />
        ))}
        {(marks?.spans ?? []).map((m) => (
          <ReferenceArea
            key={`span-${m.from}`}
            x1={Math.max(m.from, from)}
            x2={Math.min(m.to, to)}
            fill="#d0463b"
            fillOpacity={0.1}
            ifOverflow="hidden"
            label={{ value: m.label, position: 'insideTopLeft', fontSize: 11, fill: '#b42318' }}
          />
        ))}
        {(marks?.lines ?? []).map((m) => (
          <ReferenceLine
            key={`line-${m.label}`}
            y={m.y}
            stroke={m.color}
            strokeDasharray={m.dashed ? '5 4' : undefined}
            ifOverflow="extendDomain"
            label={{ value: m.label, position: 'insideTopRight', fontSize: 11, fill: m.color }}
          />
        ))}
        <Tooltip content={tooltipBody} isAnimationActive={false} />
        {series.length > 1 && !compact ? (
          <Legend iconType="plainline" wrapperStyle={{ fontSize: 12 }} />
        ) : null}
        {series.map((s, i) => {
          const color = SERIES_COLORS[i % SERIES_COLORS.length]
          return [
            <Area
              key={`b${s.key}`}
              dataKey={`b${i}`}
              stroke="none"
              fill={color}
              fillOpacity={series.length > 1 ? 0.08 : 0.18}
              connectNulls={false}
              isAnimationActive={false}
              legendType="none"
              activeDot={false}
              name={`${s.label} 95% CI`}
            />,
            <Line
              key={`v${s.key}`}
              dataKey={`v${i}`}
              name={s.label}
              stroke={color}
              strokeWidth={2}
              connectNulls={false}
              dot={{ r: 1.5, fill: color, strokeWidth: 0 }}
              isAnimationActive={false}
            >
              <ErrorBar dataKey={`e${i}`} width={6} stroke={color} strokeWidth={1.5} direction="y" />
            </Line>,
          ]
        })}
      </ComposedChart>
    </ResponsiveContainer>
  )
}
