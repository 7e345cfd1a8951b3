import {
  EXCHANGE_DIMENSIONS,
  type ExchangeDimension,
  type ExchangeFilter,
  NO_FILTER,
  ScoreOp,
} from '../db/clickhouse/queries/exchange-filter-sql.ts'
import { LeashError } from '../errors.ts'

/** Record outcomes `status=` accepts besides an HTTP status. */
export const EXCHANGE_OUTCOMES = [
  'ok',
  'upstream_error',
  'stream_error',
  'client_aborted',
  'gateway_error',
] as const

/** A label filter as asked (`label.refusal=full`); resolved to event ids by the labels lookup. */
export interface LabelFilter {
  name: string
  label: string
}

export interface ParsedExchangeQuery {
  limit: number
  offset: number
  project: string | undefined
  filter: ExchangeFilter
  labels: LabelFilter[]
}

const NAME = /^[A-Za-z0-9_.:-]{1,100}$/
const MAX_VALUES = 100

const bad = (param: string, why: string) => new LeashError('bad_request', `${param}: ${why}`)

/** ISO-8601 or epoch ms, the same two forms every range in the API takes. */
export function parseTime(param: string, raw: string): number {
  const ms = /^\d{1,15}$/.test(raw) ? Number(raw) : Date.parse(raw)
  if (!Number.isFinite(ms)) throw bad(param, `'${raw}' is neither an ISO-8601 time nor epoch milliseconds`)
  return ms
}

function parseWhole(param: string, raw: string | undefined, dflt: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return dflt
  if (!/^\d+$/.test(raw)) throw bad(param, `'${raw}' is not a whole number`)
  const n = Number(raw)
  if (n < min || n > max) throw bad(param, `must be between ${min} and ${max}`)
  return n
}

function single(param: string, values: string[]): string {
  if (values.length > 1) throw bad(param, 'give it once')
  return values[0] ?? ''
}

function parseSort(raw: string): ExchangeFilter['sort'] {
  const desc = raw.startsWith('-')
  const key = desc ? raw.slice(1) : raw
  if (key === 'time' || key === 'latency') return { by: key, desc }
  if (key.startsWith('score.')) {
    const score = key.slice('score.'.length)
    if (NAME.test(score)) return { by: { score }, desc }
  }
  throw bad('sort', `'${raw}' is not one of time, -time, latency, -latency, score.<name>, -score.<name>`)
}

function parseScore(param: string, name: string, raw: string): ExchangeFilter['scores'][number] {
  if (!NAME.test(name)) throw bad(param, 'the score name may hold letters, digits and _ . : - only')
  const m = raw.match(/^([a-z]+):(.+)$/)
  const op = ScoreOp.safeParse(m?.[1])
  const value = Number(m?.[2])
  if (!m || !op.success || m[2]?.trim() === '' || !Number.isFinite(value))
    throw bad(param, `'${raw}' is not <op>:<number> with op one of gt, gte, lt, lte, eq (e.g. gt:0.5)`)
  return { name, op: op.data, value }
}

/**
 * `GET /exchanges` query → the filter, each value checked; an unknown or malformed parameter is a 400
 * that names it. Repeating a dimension (model=a&model=b) means either; different filters are ANDed.
 */
export function parseExchangeQuery(query: Record<string, string[]>): ParsedExchangeQuery {
  const filter: ExchangeFilter = { ...NO_FILTER, dims: {}, statuses: [], outcomes: [], scores: [], tags: [] }
  const labels: LabelFilter[] = []
  let limit = 50
  let offset = 0
  let project: string | undefined
  for (const [param, values] of Object.entries(query)) {
    if (values.length > MAX_VALUES) throw bad(param, `at most ${MAX_VALUES} values`)
    if (param === 'limit') limit = parseWhole(param, single(param, values), 50, 1, 500)
    else if (param === 'offset') offset = parseWhole(param, single(param, values), 0, 0, 10_000_000)
    else if (param === 'project') project = single(param, values) || undefined
    else if (param === 'from') filter.fromMs = parseTime(param, single(param, values))
    else if (param === 'to') filter.toMs = parseTime(param, single(param, values))
    else if (param === 'q') filter.q = single(param, values) || undefined
    else if (param === 'sort') filter.sort = parseSort(single(param, values))
    else if (param in EXCHANGE_DIMENSIONS) {
      const vs = values.filter((v) => v !== '')
      if (vs.length) filter.dims[param as ExchangeDimension] = vs
    } else if (param === 'status') {
      for (const v of values) {
        if (/^\d{3}$/.test(v)) filter.statuses.push(Number(v))
        else if ((EXCHANGE_OUTCOMES as readonly string[]).includes(v)) filter.outcomes.push(v)
        else throw bad(param, `'${v}' is neither an HTTP status nor one of ${EXCHANGE_OUTCOMES.join(', ')}`)
      }
    } else if (param.startsWith('score.')) {
      for (const v of values) filter.scores.push(parseScore(param, param.slice(6), v))
    } else if (param.startsWith('tag.')) {
      const key = param.slice(4)
      if (key === '') throw bad(param, 'name the tag: tag.<key>=<value>')
      for (const v of values) filter.tags.push({ key, value: v })
    } else if (param.startsWith('label.')) {
      const name = param.slice(6)
      if (!NAME.test(name)) throw bad(param, 'name the label: label.<name>=<label>')
      for (const v of values) {
        if (v === '') throw bad(param, 'give the label value, e.g. label.refusal=full')
        labels.push({ name, label: v })
      }
    } else {
      throw bad(
        param,
        'unknown filter; use from, to, model, route, feature, user, session, policy_version, status, q, score.<name>, label.<name>, tag.<key>, sort, limit, offset, project',
      )
    }
  }
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs >= filter.toMs)
    throw bad('from', 'must be before to')
  return { limit, offset, project, filter, labels }
}
