import { formatChange, formatValue } from './format.ts'
import { escapeHtml as e } from './html-escape.ts'
import type { Mover } from './summary.ts'
import type { TradeoffWeek } from './weekly.ts'

const W = 640

/** Horizontal bars of the top movers' change against last week: red = worse, green = better. */
export function moversSvg(movers: Mover[]): string {
  if (movers.length === 0) return ''
  const rowH = 26
  const h = movers.length * rowH + 10
  const size = (m: Mover) =>
    m.row.unit === 'ratio' ? (m.row.lastWeek.delta ?? 0) * 100 : (m.row.lastWeek.relative ?? 0) * 100
  const max = Math.max(...movers.map((m) => Math.abs(size(m))), 1e-9)
  const mid = 420
  const half = 100
  const bars = movers.map((m, i) => {
    const v = size(m)
    const len = (Math.abs(v) / max) * half
    const x = v >= 0 ? mid : mid - len
    const y = 5 + i * rowH
    const color = m.row.verdict === 'worse' ? '#b42318' : m.row.verdict === 'better' ? '#067647' : '#667085'
    const label = `${m.row.metric} · ${m.model || '(no model)'}/${m.route || '(no route)'}`
    return `<text x="4" y="${y + 16}" font-size="12">${e(label.slice(0, 52))}</text><rect x="${x.toFixed(1)}" y="${y + 4}" width="${Math.max(len, 1).toFixed(1)}" height="16" fill="${color}"/><text x="${mid + half + 8}" y="${y + 16}" font-size="12">${e(formatChange(m.row.lastWeek, m.row.unit))}</text>`
  })
  return `<svg role="img" aria-label="Top movers against last week" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" xmlns="http://www.w3.org/2000/svg"><line x1="${mid}" y1="0" x2="${mid}" y2="${h}" stroke="#98a2b3"/>${bars.join('')}</svg>`
}

/** Violation rate and false-refusal rate week by week: pushing one down often pushes the other up. */
export function tradeoffSvg(weeks: TradeoffWeek[]): string {
  const pts = weeks.filter((w) => w.violation.value !== null || w.falseRefusal.value !== null)
  if (pts.length === 0) return ''
  const h = 200
  const pad = { l: 48, r: 120, t: 12, b: 28 }
  const values = weeks
    .flatMap((w) => [w.violation.value, w.falseRefusal.value])
    .filter((v): v is number => v !== null)
  const max = Math.max(...values, 0.01) * 1.15
  const x = (i: number) => pad.l + (weeks.length === 1 ? 0 : (i / (weeks.length - 1)) * (W - pad.l - pad.r))
  const y = (v: number) => pad.t + (1 - v / max) * (h - pad.t - pad.b)
  const line = (pick: (w: TradeoffWeek) => number | null, color: string, name: string) => {
    const dots = weeks.flatMap((w, i) => {
      const v = pick(w)
      return v === null ? [] : [{ x: x(i), y: y(v), v }]
    })
    if (dots.length === 0) return ''
    const path = dots.map((d, i) => `${i === 0 ? 'M' : 'L'}${d.x.toFixed(1)},${d.y.toFixed(1)}`).join(' ')
    const last = dots[dots.length - 1] as { x: number; y: number; v: number }
    return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots
      .map((d) => `<circle cx="${d.x.toFixed(1)}" cy="${d.y.toFixed(1)}" r="3" fill="${color}"/>`)
      .join(
        '',
      )}<text x="${(last.x + 8).toFixed(1)}" y="${(last.y + 4).toFixed(1)}" font-size="12" fill="${color}">${e(name)} ${e(formatValue(last.v, 'ratio'))}</text>`
  }
  const ticks = weeks
    .map(
      (w, i) =>
        `<text x="${x(i).toFixed(1)}" y="${h - 8}" font-size="11" text-anchor="middle">${e(w.week.slice(5))}</text>`,
    )
    .join('')
  const axis = [0, max / 2, max]
    .map(
      (v) =>
        `<text x="${pad.l - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${e(formatValue(v, 'ratio'))}</text>`,
    )
    .join('')
  return `<svg role="img" aria-label="Violation rate and false-refusal rate by week" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" xmlns="http://www.w3.org/2000/svg"><line x1="${pad.l}" y1="${h - pad.b}" x2="${W - pad.r}" y2="${h - pad.b}" stroke="#98a2b3"/>${axis}${ticks}${line((w) => w.violation.value, '#b42318', 'violations')}${line((w) => w.falseRefusal.value, '#b7791f', 'false refusals')}</svg>`
}
