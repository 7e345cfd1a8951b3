import {
  estimateWords,
  formatChange,
  formatDuration,
  formatP,
  formatTime,
  formatValue,
  isoDate,
  VERDICT_LABEL,
} from './format.ts'
import { summaryLines } from './summary.ts'
import type { WeeklyReport } from './weekly.ts'

/** Table cells cannot hold pipes or newlines. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')

export function renderMarkdown(r: WeeklyReport): string {
  const out: string[] = []
  out.push(`# Weekly drift report: ${cell(r.project.name)}, ${r.week}`)
  out.push('')
  out.push(
    `${isoDate(r.from)} to ${isoDate(r.to - 1)} (UTC), compared with ${r.lastWeek.week}` +
      (r.baseline ? ` and the pinned baseline ${r.baseline.week}` : ' (no pinned baseline)') +
      `. Significance: Benjamini-Hochberg adjusted p < ${r.guard.alpha} over ${r.guard.tests} tests (marked *).`,
  )
  out.push('')
  out.push('## Summary')
  out.push('')
  for (const l of summaryLines(r)) out.push(`${l}  `)
  out.push('')
  out.push('## Alerts')
  out.push('')
  if (!r.alerts) out.push('_Alert history was not available to this report._')
  else if (!r.alerts.available) out.push(`_${cell(r.alerts.note ?? 'alerts unavailable')}_`)
  else if (r.alerts.fired === 0) out.push('No alerts fired this week.')
  else {
    out.push(
      `${r.alerts.fired} fired, ${r.alerts.acknowledged} acknowledged, ${r.alerts.resolved} resolved; ` +
        `median time to acknowledge ${formatDuration(r.alerts.medianTimeToAckMs)}, to resolve ${formatDuration(r.alerts.medianTimeToResolveMs)}.`,
    )
    out.push('')
    out.push('| rule | metric | severity | labels | started | ack after | resolved after |')
    out.push('|---|---|---|---|---|---|---|')
    for (const a of r.alerts.items)
      out.push(
        `| ${cell(a.rule)} | ${cell(a.metric)} | ${cell(a.severity)} | ${cell(
          Object.entries(a.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        )} | ${formatTime(a.startedAt)} | ${formatDuration(a.timeToAckMs)} | ${formatDuration(a.timeToResolveMs)} |`,
      )
  }
  if (r.slices.length === 0) {
    out.push('')
    out.push('No successful traffic this week.')
  }
  for (const s of r.slices) {
    out.push('')
    out.push(
      `## ${cell(s.model || '(no model)')} on ${cell(s.route || '(no route)')}: ${s.requests.toLocaleString('en-US')} requests`,
    )
    out.push('')
    const worse = s.metrics.filter((m) => m.verdict === 'worse').map((m) => m.metric)
    if (worse.length) out.push(`Got worse: ${worse.join(', ')}.\n`)
    out.push(
      `| metric | this week | vs ${r.lastWeek.week} | p | ${r.baseline ? `vs ${r.baseline.week} | p | ` : ''}verdict |`,
    )
    out.push(`|---|---|---|---|${r.baseline ? '---|---|' : ''}---|`)
    for (const m of s.metrics) {
      const pinned = r.baseline ? `${formatChange(m.pinned, m.unit)} | ${formatP(m.pinned)} | ` : ''
      out.push(
        `| ${m.metric} | ${formatValue(m.thisWeek.value, m.unit)}${estimateWords(m) ? ` (${estimateWords(m)})` : ''} | ${formatChange(m.lastWeek, m.unit)} | ${formatP(m.lastWeek)} | ${pinned}${VERDICT_LABEL[m.verdict]} |`,
      )
    }
    for (const e of s.examples) {
      out.push('')
      out.push(`Examples for ${e.metric}:`)
      out.push('')
      for (const x of e.items)
        out.push(`- \`${x.eventId}\`: ${cell(x.excerpt.slice(0, 240)) || '(empty response)'}`)
    }
  }
  out.push('')
  return out.join('\n')
}
