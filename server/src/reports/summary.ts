import { formatChange, formatDuration } from './format.ts'
import type { ReportMetricRow, WeeklyReport } from './weekly.ts'

export interface Mover {
  model: string
  route: string
  row: ReportMetricRow
}

/** Significant moves against last week, the largest relative change first (absolute for rates). */
export function topMovers(r: WeeklyReport, limit = 5): Mover[] {
  const size = (m: ReportMetricRow) =>
    m.unit === 'ratio' ? Math.abs(m.lastWeek.delta ?? 0) * 10 : Math.abs(m.lastWeek.relative ?? 0)
  return r.slices
    .flatMap((s) => s.metrics.map((row) => ({ model: s.model, route: s.route, row })))
    .filter(
      (m) => m.row.lastWeek.significant && m.row.lastWeek.delta !== null && m.row.verdict !== 'insufficient',
    )
    .sort((a, b) => size(b.row) - size(a.row))
    .slice(0, limit)
}

const sliceName = (m: { model: string; route: string }) =>
  `${m.model || '(no model)'} on ${m.route || '(no route)'}`

/** The report's opening paragraph, written from its numbers: movers with sign and size, then alerts. */
export function summaryLines(r: WeeklyReport): string[] {
  const lines: string[] = []
  const requests = r.slices.reduce((a, s) => a + s.requests, 0)
  if (r.slices.length === 0) lines.push('No successful traffic this week.')
  else {
    const movers = topMovers(r, 3)
    const worse = r.slices.reduce((a, s) => a + s.metrics.filter((m) => m.verdict === 'worse').length, 0)
    lines.push(
      `${requests.toLocaleString('en-US')} requests across ${r.slices.length} model/route slice${r.slices.length === 1 ? '' : 's'}; ${worse} metric${worse === 1 ? '' : 's'} got worse against ${r.lastWeek.week}.`,
    )
    if (movers.length === 0) lines.push(`No metric moved significantly against ${r.lastWeek.week}.`)
    else
      lines.push(
        `Biggest moves: ${movers
          .map(
            (m) =>
              `${m.row.metric} ${formatChange(m.row.lastWeek, m.row.unit)} (${m.row.verdict}, ${sliceName(m)})`,
          )
          .join('; ')}.`,
      )
  }
  const a = r.alerts
  if (a?.available) {
    if (a.fired === 0) lines.push('No alerts fired.')
    else
      lines.push(
        `${a.fired} alert${a.fired === 1 ? '' : 's'} fired: ${a.acknowledged} acknowledged (median ${formatDuration(a.medianTimeToAckMs)}), ${a.resolved} resolved (median ${formatDuration(a.medianTimeToResolveMs)}).`,
      )
  }
  if (r.errorOnlySlices.length)
    lines.push(
      `Left out ${r.errorOnlySlices.length} slice${r.errorOnlySlices.length === 1 ? '' : 's'} with no successful call (${r.errorOnlySlices
        .slice(0, 3)
        .map(sliceName)
        .join(', ')}${r.errorOnlySlices.length > 3 ? ', …' : ''}).`,
    )
  return lines
}
