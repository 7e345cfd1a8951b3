import type { DotItemDotProps } from 'recharts'
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { fmtDateTime, fmtMs, fmtTick } from '../lib/format.ts'
import type { ChartRow } from '../lib/series.ts'
import { ChartCard } from './chart-card.tsx'

interface ChartsProps {
  rows: ChartRow[]
  rangeSeconds: number
}

const HEIGHT = 190
const COLORS = { requests: '#3b6fd4', errors: '#d0463b', refusal: '#b7791f', p50: '#2f855a', p95: '#805ad5' }
const AXIS = { fontSize: 11, fill: '#6b7280' }
type NullableKey = 'refusalPct' | 'p50' | 'p95'

/** Lines skip nulls, so a value with null neighbours would be invisible: draw a dot for it alone. */
function isolatedDot(rows: ChartRow[], key: NullableKey, color: string) {
  return (props: DotItemDotProps) => {
    const { index, cx, cy } = props
    const before = rows[index - 1]?.[key] ?? null
    const after = rows[index + 1]?.[key] ?? null
    const value = rows[index]?.[key] ?? null
    if (value === null || before !== null || after !== null || cx === undefined || cy === undefined) {
      return <g key={`d${index}`} />
    }
    return <circle key={`d${index}`} cx={cx} cy={cy} r={2.5} fill={color} />
  }
}

export function Charts({ rows, rangeSeconds }: ChartsProps) {
  const tick = (t: number) => fmtTick(t, rangeSeconds)
  const label = (t: unknown) => (typeof t === 'number' ? fmtDateTime(new Date(t).toISOString()) : '')
  const xAxis = <XAxis dataKey="t" tickFormatter={tick} tick={AXIS} minTickGap={40} tickLine={false} />
  const grid = <CartesianGrid stroke="#eef0f3" vertical={false} />
  const noRequests = rows.every((r) => r.requestsPerMin === 0)
  const noRefusal = rows.every((r) => r.refusalPct === null)
  const noLatency = rows.every((r) => r.p50 === null && r.p95 === null)

  return (
    <div className="charts">
      <ChartCard title="Requests" unit="per minute" testId="chart-requests" empty={noRequests}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
            {grid}
            {xAxis}
            <YAxis tick={AXIS} tickLine={false} axisLine={false} allowDecimals />
            <Tooltip labelFormatter={label} formatter={(v) => [Number(v).toFixed(2), 'req/min']} />
            <Bar dataKey="requestsPerMin" fill={COLORS.requests} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard title="Refusal rate" unit="% of scored responses" testId="chart-refusal" empty={noRefusal}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
            {grid}
            {xAxis}
            <YAxis tick={AXIS} tickLine={false} axisLine={false} domain={[0, 100]} unit="%" />
            <Tooltip
              labelFormatter={label}
              formatter={(v) => [
                v === null || v === undefined ? 'no data' : `${Number(v).toFixed(1)}%`,
                'refusal',
              ]}
            />
            <Line
              dataKey="refusalPct"
              stroke={COLORS.refusal}
              strokeWidth={2}
              connectNulls={false}
              dot={isolatedDot(rows, 'refusalPct', COLORS.refusal)}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard title="Latency" unit="ms, p50 and p95" testId="chart-latency" empty={noLatency}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -4 }}>
            {grid}
            {xAxis}
            <YAxis tick={AXIS} tickLine={false} axisLine={false} />
            <Tooltip
              labelFormatter={label}
              formatter={(v, name) => [fmtMs(typeof v === 'number' ? v : null), String(name)]}
            />
            <Legend iconType="plainline" wrapperStyle={{ fontSize: 12 }} />
            <Line
              name="p50"
              dataKey="p50"
              stroke={COLORS.p50}
              strokeWidth={2}
              connectNulls={false}
              dot={isolatedDot(rows, 'p50', COLORS.p50)}
              isAnimationActive={false}
            />
            <Line
              name="p95"
              dataKey="p95"
              stroke={COLORS.p95}
              strokeWidth={2}
              connectNulls={false}
              dot={isolatedDot(rows, 'p95', COLORS.p95)}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>
    </div>
  )
}
