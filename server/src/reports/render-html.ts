import { CATALOG } from '../metrics/catalog.ts'
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
import { escapeHtml } from './html-escape.ts'
import { summaryLines, topMovers } from './summary.ts'
import { moversSvg, tradeoffSvg } from './svg.ts'
import type { ReportMetricRow, ReportSlice, WeeklyReport } from './weekly.ts'

export { escapeHtml }

const e = escapeHtml

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;padding:0 1rem;color:#1d2433}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d5dae3;padding:.25rem .5rem;text-align:left}
th{background:#f3f5f8}.worse{color:#b42318;font-weight:600}.better{color:#067647}.muted{color:#667085}
blockquote{margin:.25rem 0;padding:.25rem .75rem;border-left:3px solid #d5dae3}.summary{font-size:15px;background:#f6f8fb;
padding:.75rem 1rem;border-radius:6px}details{margin:.25rem 0 1rem}svg{max-width:100%;height:auto}`

/** One part of the report; the report is these, in order. Add a section with one line in SECTIONS. */
export type ReportSection = (r: WeeklyReport) => string

const DESCRIPTION = new Map(CATALOG.map((m) => [m.name, m.description]))
const metricCell = (name: string) => `<td title="${e(DESCRIPTION.get(name) ?? '')}">${e(name)}</td>`

export const summarySection: ReportSection = (r) =>
  `<h2>Summary</h2><div class="summary" data-section="summary">${summaryLines(r)
    .map((l) => `<p>${e(l)}</p>`)
    .join('')}</div>`

export const chartsSection: ReportSection = (r) => {
  const movers = moversSvg(topMovers(r))
  const trade = tradeoffSvg(r.tradeoff)
  const parts: string[] = []
  if (movers) parts.push(`<h2>Top movers against ${e(r.lastWeek.week)}</h2>${movers}`)
  if (trade)
    parts.push(
      `<h2>Violations vs false refusals, week by week</h2><p class="muted">Both directions of failure: a policy that cuts violations often raises false refusals.</p>${trade}`,
    )
  return parts.join('\n')
}

export const alertsSection: ReportSection = (r) => {
  const parts = ['<h2>Alerts</h2>']
  if (!r.alerts) parts.push('<p class="muted">Alert history was not available to this report.</p>')
  else if (!r.alerts.available) parts.push(`<p class="muted">${e(r.alerts.note ?? 'alerts unavailable')}</p>`)
  else if (r.alerts.fired === 0) parts.push('<p>No alerts fired this week.</p>')
  else {
    parts.push(
      `<p>${r.alerts.fired} fired, ${r.alerts.acknowledged} acknowledged, ${r.alerts.resolved} resolved; median time to acknowledge ${e(formatDuration(r.alerts.medianTimeToAckMs))}, to resolve ${e(formatDuration(r.alerts.medianTimeToResolveMs))}.</p>`,
      '<table><tr><th>rule</th><th>metric</th><th>severity</th><th>labels</th><th>started</th><th>ack after</th><th>resolved after</th></tr>',
    )
    for (const a of r.alerts.items)
      parts.push(
        `<tr><td>${e(a.rule)}</td>${metricCell(a.metric)}<td>${e(a.severity)}</td><td>${e(
          Object.entries(a.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        )}</td><td>${e(formatTime(a.startedAt))}</td><td>${e(formatDuration(a.timeToAckMs))}</td><td>${e(formatDuration(a.timeToResolveMs))}</td></tr>`,
      )
    parts.push('</table>')
  }
  return parts.join('\n')
}

function metricTable(r: WeeklyReport, rows: ReportMetricRow[]): string {
  const head = `<table><tr><th>metric</th><th>this week</th><th>vs ${e(r.lastWeek.week)}</th><th>p</th>${
    r.baseline ? `<th>vs ${e(r.baseline.week)}</th><th>p</th>` : ''
  }<th>verdict</th></tr>`
  const body = rows.map((m) => {
    const pinned = r.baseline
      ? `<td>${e(formatChange(m.pinned, m.unit))}</td><td>${e(formatP(m.pinned))}</td>`
      : ''
    return `<tr>${metricCell(m.metric)}<td>${e(formatValue(m.thisWeek.value, m.unit))}${estimateWords(m) ? ` <span class="estimate">${e(estimateWords(m))}</span>` : ''}</td><td>${e(formatChange(m.lastWeek, m.unit))}</td><td>${e(formatP(m.lastWeek))}</td>${pinned}<td class="${m.verdict}">${e(VERDICT_LABEL[m.verdict])}</td></tr>`
  })
  return `${head}${body.join('')}</table>`
}

function sliceHtml(r: WeeklyReport, s: ReportSlice): string {
  const parts = [
    `<h2>${e(s.model || '(no model)')} on ${e(s.route || '(no route)')}: ${e(s.requests.toLocaleString('en-US'))} requests</h2>`,
  ]
  // Moves first; what did not move (or could not be judged) folds away.
  const moved = s.metrics.filter(
    (m) => m.verdict === 'worse' || m.verdict === 'better' || m.verdict === 'changed',
  )
  const quiet = s.metrics.filter((m) => !moved.includes(m))
  parts.push(moved.length ? metricTable(r, moved) : '<p>No metric moved significantly.</p>')
  if (quiet.length)
    parts.push(
      `<details><summary>${quiet.length} unchanged or insufficient metric${quiet.length === 1 ? '' : 's'}</summary>${metricTable(r, quiet)}</details>`,
    )
  for (const ex of s.examples) {
    parts.push(`<h3>Examples for ${e(ex.metric)}</h3>`)
    for (const x of ex.items)
      parts.push(
        `<blockquote><code>${e(x.eventId)}</code><br>${e(x.excerpt.slice(0, 400)) || '<span class="muted">(empty response)</span>'}</blockquote>`,
      )
  }
  return parts.join('\n')
}

export const slicesSection: ReportSection = (r) =>
  r.slices.length === 0
    ? '<p>No successful traffic this week.</p>'
    : r.slices.map((s) => sliceHtml(r, s)).join('\n')

export const leftOutSection: ReportSection = (r) =>
  r.errorOnlySlices.length === 0
    ? ''
    : `<p class="muted">Left out (no successful call this week): ${r.errorOnlySlices
        .map(
          (s) =>
            `${e(s.model || '(no model)')} on ${e(s.route || '(no route)')} (${s.requests.toLocaleString('en-US')} failed)`,
        )
        .join(', ')}.</p>`

/** The report, top to bottom. */
export const SECTIONS: ReportSection[] = [
  summarySection,
  chartsSection,
  alertsSection,
  slicesSection,
  leftOutSection,
]

export function renderHtml(r: WeeklyReport): string {
  const title = `Weekly drift report: ${r.project.name}, ${r.week}`
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    `<p class="muted">${e(isoDate(r.from))} to ${e(isoDate(r.to - 1))} (UTC), compared with ${e(r.lastWeek.week)}${
      r.baseline ? ` and the pinned baseline ${e(r.baseline.week)}` : ' (no pinned baseline)'
    }. Significance: Benjamini-Hochberg adjusted p &lt; ${r.guard.alpha} over ${r.guard.tests} tests (marked *).</p>`,
    ...SECTIONS.map((section) => section(r)).filter((html) => html !== ''),
    `<p class="muted">Generated ${e(formatTime(r.generatedAt))} by Leash.</p></body></html>`,
  ].join('\n')
}
