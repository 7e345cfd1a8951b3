import { formatChange, formatDuration, formatP, formatValue, isoDate, VERDICT_LABEL } from './format.ts'
import type { WeeklyReport } from './weekly.ts'

/** Every piece of text, including model names and response excerpts, goes through this. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2433}table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #d5dae3;padding:.25rem .5rem;text-align:left}th{background:#f3f5f8}.worse{color:#b42318;font-weight:600}
.better{color:#067647}.muted{color:#667085}blockquote{margin:.25rem 0;padding:.25rem .75rem;border-left:3px solid #d5dae3}`

export function renderHtml(r: WeeklyReport): string {
  const e = escapeHtml
  const parts: string[] = []
  parts.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${e(`Weekly drift report: ${r.project.name}, ${r.week}`)}</title><style>${STYLE}</style></head><body>`,
  )
  parts.push(`<h1>Weekly drift report: ${e(r.project.name)}, ${e(r.week)}</h1>`)
  parts.push(
    `<p>${e(isoDate(r.from))} to ${e(isoDate(r.to - 1))} (UTC), compared with ${e(r.lastWeek.week)}${
      r.baseline ? ` and the pinned baseline ${e(r.baseline.week)}` : ' (no pinned baseline)'
    }. Significance: Benjamini-Hochberg adjusted p &lt; ${r.guard.alpha} over ${r.guard.tests} tests (marked *).</p>`,
  )
  parts.push('<h2>Alerts</h2>')
  if (!r.alerts) parts.push('<p class="muted">Alert history was not available to this report.</p>')
  else if (!r.alerts.available) parts.push(`<p class="muted">${e(r.alerts.note ?? 'alerts unavailable')}</p>`)
  else if (r.alerts.fired === 0) parts.push('<p>No alerts fired this week.</p>')
  else {
    parts.push(
      `<p>${r.alerts.fired} fired, ${r.alerts.acknowledged} acknowledged, ${r.alerts.resolved} resolved; median time to acknowledge ${e(formatDuration(r.alerts.medianTimeToAckMs))}, to resolve ${e(formatDuration(r.alerts.medianTimeToResolveMs))}.</p>`,
    )
    parts.push(
      '<table><tr><th>rule</th><th>metric</th><th>severity</th><th>labels</th><th>started</th><th>ack after</th><th>resolved after</th></tr>',
    )
    for (const a of r.alerts.items)
      parts.push(
        `<tr><td>${e(a.rule)}</td><td>${e(a.metric)}</td><td>${e(a.severity)}</td><td>${e(
          Object.entries(a.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        )}</td><td>${e(new Date(a.startedAt).toISOString())}</td><td>${e(formatDuration(a.timeToAckMs))}</td><td>${e(formatDuration(a.timeToResolveMs))}</td></tr>`,
      )
    parts.push('</table>')
  }
  if (r.slices.length === 0) parts.push('<p>No traffic this week.</p>')
  for (const s of r.slices) {
    parts.push(
      `<h2>${e(s.model || '(no model)')} on ${e(s.route || '(no route)')}: ${e(s.requests.toLocaleString('en-US'))} requests</h2>`,
    )
    parts.push(
      `<table><tr><th>metric</th><th>this week</th><th>vs ${e(r.lastWeek.week)}</th><th>p</th>${
        r.baseline ? `<th>vs ${e(r.baseline.week)}</th><th>p</th>` : ''
      }<th>verdict</th></tr>`,
    )
    for (const m of s.metrics) {
      const pinned = r.baseline
        ? `<td>${e(formatChange(m.pinned, m.unit))}</td><td>${e(formatP(m.pinned))}</td>`
        : ''
      parts.push(
        `<tr><td>${e(m.metric)}</td><td>${e(formatValue(m.thisWeek.value, m.unit))}</td><td>${e(formatChange(m.lastWeek, m.unit))}</td><td>${e(formatP(m.lastWeek))}</td>${pinned}<td class="${m.verdict}">${e(VERDICT_LABEL[m.verdict])}</td></tr>`,
      )
    }
    parts.push('</table>')
    for (const ex of s.examples) {
      parts.push(`<h3>Examples for ${e(ex.metric)}</h3>`)
      for (const x of ex.items)
        parts.push(
          `<blockquote><code>${e(x.eventId)}</code><br>${e(x.excerpt.slice(0, 400)) || '<span class="muted">(empty response)</span>'}</blockquote>`,
        )
    }
  }
  parts.push(
    `<p class="muted">Generated ${e(new Date(r.generatedAt).toISOString())} by Leash.</p></body></html>`,
  )
  return parts.join('\n')
}
