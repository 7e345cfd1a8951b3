/**
 * The exchange explorer's state is its URL: the API's own filter parameters, so a link pasted in an
 * incident channel is the query (`/exchanges?from=…&to=…&feature=support-bot&score.false_refusal=gte:0.5`).
 */

/** Equality filters, in the order the form shows them. */
export const DIMENSION_FILTERS = [
  { key: 'model', label: 'Model' },
  { key: 'route', label: 'Route' },
  { key: 'feature', label: 'Feature' },
  { key: 'user', label: 'User' },
  { key: 'session', label: 'Session' },
  { key: 'policy_version', label: 'Policy version' },
] as const

export const STATUS_OPTIONS = [
  { value: '', label: 'any status' },
  { value: 'ok', label: 'ok' },
  { value: 'upstream_error', label: 'upstream error' },
  { value: 'stream_error', label: 'stream error' },
  { value: 'gateway_error', label: 'gateway error' },
  { value: 'client_aborted', label: 'client aborted' },
] as const

export const SORT_OPTIONS = [
  { value: '', label: 'newest first' },
  { value: 'time', label: 'oldest first' },
  { value: '-latency', label: 'slowest first' },
  { value: '-score.false_refusal', label: 'most likely false refusal' },
  { value: '-score.refusal', label: 'most likely refusal' },
  { value: 'score.reward', label: 'lowest reward' },
] as const

/** Handy score filters; any `score.<name>=<op>:<value>` in the URL works too. */
export const SCORE_PRESETS = [
  { key: 'score.false_refusal', value: 'gte:0.5', label: 'false refusals' },
  { key: 'score.refusal', value: 'gte:0.5', label: 'refusals' },
  { key: 'score.violation', value: 'gte:0.5', label: 'violations' },
] as const

/** URL keys that belong to the page, not the API. */
const PAGE_KEYS = new Set(['project', 'offset'])

/** The API filter parameters held in a page URL (everything but the page's own keys). */
export function filtersFromQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of query) if (!PAGE_KEYS.has(k) && v !== '') out[k] = v
  return out
}

/** Open-ended filters (score.*, tag.*, label.*) present in the URL, for the chips. */
export function openFilters(filters: Record<string, string>): Array<[string, string]> {
  return Object.entries(filters).filter(([k]) => /^(score|tag|label)\./.test(k))
}

/** A fixed window ending at `now`, as absolute ISO times: a shared link shows the same window tomorrow. */
export function absoluteWindow(seconds: number, now: number = Date.now()): { from: string; to: string } {
  // Rounded out to the minute so the link reads well and the window holds the current minute.
  const to = Math.ceil(now / 60_000) * 60_000
  return { from: new Date(to - seconds * 1000).toISOString(), to: new Date(to).toISOString() }
}

/** ISO → the value of an `<input type="datetime-local">` in local time, and back. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return ''
  const d = new Date(/^\d+$/.test(iso) ? Number(iso) : iso)
  if (Number.isNaN(d.getTime())) return ''
  const off = d.getTimezoneOffset() * 60_000
  return new Date(d.getTime() - off).toISOString().slice(0, 16)
}

export function fromLocalInput(value: string): string {
  if (!value) return ''
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? '' : d.toISOString()
}
