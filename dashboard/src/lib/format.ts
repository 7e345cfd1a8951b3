const NO_DATA = 'no data'

export function fmtCount(n: number): string {
  return n.toLocaleString('en-US')
}

export function fmtPercent(ratio: number | null, digits = 1): string {
  if (ratio === null || !Number.isFinite(ratio)) return NO_DATA
  return `${(ratio * 100).toFixed(digits)}%`
}

export function fmtMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NO_DATA
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.round(ms).toLocaleString('en-US')} ms`
}

/** Axis tick: time of day for short ranges, day + time for multi-day ranges. */
export function fmtTick(ms: number, rangeSeconds: number): string {
  const d = new Date(ms)
  const hm = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
  if (rangeSeconds <= 24 * 3600) return hm
  return `${d.toLocaleDateString('en-GB', { day: '2-digit', month: 'short' })} ${hm}`
}

/** Date and time with the time zone ("06 Dec, 23:00:47 UTC"); `zone: false` for dense tables whose header names it. */
export function fmtDateTime(iso: string, { zone = true }: { zone?: boolean } = {}): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString('en-GB', {
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    ...(zone ? { timeZoneName: 'short' } : {}),
  })
}

/** The viewer's time zone, short ("UTC", "GMT+1"), for a table header. */
export function zoneLabel(at: Date = new Date()): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZoneName: 'short' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')
  return part?.value ?? 'local time'
}

export function fmtAgo(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.floor(seconds))}s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`
  return `${Math.floor(seconds / 3600)}h ago`
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i += 1
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}
