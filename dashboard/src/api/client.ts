import type { AppType } from '@leash/server/api'
import type { AlertItem, AlertRuleInput, Channel, ChannelInput, Project, SnoozeInput } from '@leash/shared'
import {
  AlertDetail,
  AlertList,
  AlertRule,
  AlertRuleList,
  AuditList,
  ChannelList,
  Channel as ChannelSchema,
  CreatedSecret,
  Deliveries,
  Dimension,
  ExchangeDetail,
  ExchangesPage,
  IngestStatusBody,
  KeyList,
  LabelAccepted,
  type LabelInput,
  LeashView,
  Me,
  MemberList,
  MetricCatalogResponse,
  MetricSeriesResponse,
  ProjectList,
  ReviewQueue,
  ScorerAccuracyResponse,
  SettingsResponse,
  TestDelivery,
  TimeSeries,
  TokenList,
  UserList,
  WeeklyReportBody,
} from '@leash/shared'
import { hc } from 'hono/client'
import type { z } from 'zod'
import { toApiError } from './api-error.ts'

export { ApiError, errorMessage, isUnauthorized } from './api-error.ts'

const api = hc<AppType>('/', { init: { credentials: 'same-origin' } })

/**
 * `hc` types the request (path, query, body); the body is still validated with the shared zod schema,
 * because a typed client only proves what the server meant to send, not what it sent.
 */
async function read<S extends z.ZodType>(pending: Promise<Response>, schema: S): Promise<z.infer<S>> {
  const res = await pending
  if (!res.ok) throw await toApiError(res)
  return schema.parse(await res.json())
}

async function expectEmpty(pending: Promise<Response>): Promise<void> {
  const res = await pending
  if (!res.ok) throw await toApiError(res)
}

export function login(email: string, password: string): Promise<Me> {
  return read(api.api.auth.login.$post({ json: { email, password } }), Me)
}

export function logout(): Promise<void> {
  return expectEmpty(api.api.auth.logout.$post())
}

export function me(): Promise<Me> {
  return read(api.api.auth.me.$get(), Me)
}

export async function listProjects(): Promise<Project[]> {
  const body = await read(api.api.projects.$get(), ProjectList)
  return body.items
}

export interface ExchangesParams {
  limit: number
  offset: number
  project?: string | undefined
  /** The API's own filter parameters (from, to, model, score.<name>, tag.<key>, sort, …), passed as they are. */
  filters?: Record<string, string> | undefined
}

export function listExchanges(params: ExchangesParams): Promise<ExchangesPage> {
  const query = {
    ...params.filters,
    limit: String(params.limit),
    offset: String(params.offset),
    ...(params.project ? { project: params.project } : {}),
  }
  return read(api.api.exchanges.$get({ query }), ExchangesPage)
}

/**
 * `GET /api/exchanges/:id`, validated with the shared schema. A 404 resolves to `{ found: null }`: useApi
 * reads a null result as "still loading", so "not found" must be a value of its own.
 */
export async function getExchange(id: string, project: string): Promise<{ found: ExchangeDetail | null }> {
  const res = await api.api.exchanges[':id'].$get({ param: { id }, query: project ? { project } : {} })
  if (!res.ok) {
    const err = await toApiError(res)
    if (err.status === 404 && err.code === 'not_found') return { found: null }
    throw err
  }
  return { found: ExchangeDetail.parse(await res.json()) }
}

export interface OverviewParams {
  from: Date
  to: Date
  /** Bucket size in seconds. */
  step: number
  project?: string | undefined
}

export function overview(params: OverviewParams): Promise<TimeSeries> {
  const query = {
    from: params.from.toISOString(),
    to: params.to.toISOString(),
    step: String(params.step),
    ...(params.project ? { project: params.project } : {}),
  }
  return read(api.api.metrics.overview.$get({ query }), TimeSeries)
}

export function getSettings(project: string): Promise<SettingsResponse> {
  return read(api.api.projects[':project'].settings.$get({ param: { project } }), SettingsResponse)
}

/** Top-level keys replace the stored ones; the server validates the merged result and answers 400 if bad. */
export function putSettings(project: string, settings: unknown): Promise<SettingsResponse> {
  // The route reads the raw body (it merges a patch), so hc has no typed `json` for it: send it as init.
  const pending = api.api.projects[':project'].settings.$put(
    { param: { project } },
    {
      headers: { 'content-type': 'application/json' },
      init: { credentials: 'same-origin', body: JSON.stringify(settings) },
    },
  )
  return read(pending, SettingsResponse)
}

export function ingestStatus(): Promise<IngestStatusBody> {
  return read(api.api.ingest.status.$get(), IngestStatusBody)
}

export function metricCatalog(): Promise<MetricCatalogResponse> {
  return read(api.api.metrics.catalog.$get(), MetricCatalogResponse)
}

/** Which metrics' scorers miss their accuracy bar on held-out data (the scorer card). */
export function scorerAccuracy(): Promise<ScorerAccuracyResponse> {
  return read(api.api.scorers.accuracy.$get(), ScorerAccuracyResponse)
}

export interface SeriesParams {
  project?: string | undefined
  metric: string
  /** Epoch ms. */
  from: number
  to: number
  /** Bucket size in seconds. */
  step: number
  /** Dimension filters ('' = none). */
  filters?: Partial<Record<Dimension, string>>
  /** Comma-separated dimensions, '' = none. */
  groupBy?: string | undefined
  /** Rates of binary scorers: corrected with labels (the server's default) or raw. */
  estimate?: 'corrected' | 'raw' | undefined
}

/** Empty strings are "no filter" and are left out of the query. */
export function metricSeries(p: SeriesParams): Promise<MetricSeriesResponse> {
  const query: { metric: string } & Record<string, string> = {
    metric: p.metric,
    from: String(Math.floor(p.from)),
    to: String(Math.floor(p.to)),
    step: String(p.step),
  }
  for (const key of ['project', 'groupBy', 'estimate'] as const) {
    const v = p[key]
    if (v) query[key] = v
  }
  for (const d of Dimension.options) {
    const v = p.filters?.[d]
    if (v) query[d] = v
  }
  return read(api.api.metrics.series.$get({ query }), MetricSeriesResponse)
}

const projectQuery = (project: string) => ({ query: project ? { project } : {} })

export type AlertStateFilter = 'firing' | 'acknowledged' | 'resolved'

export async function listAlerts(project: string, state: AlertStateFilter | ''): Promise<AlertItem[]> {
  const query = { ...(project ? { project } : {}), ...(state ? { state } : {}) }
  const body = await read(api.api.alerts.$get({ query }), AlertList)
  return body.items
}

export function getAlert(project: string, id: string): Promise<AlertDetail> {
  return read(api.api.alerts[':id'].$get({ param: { id }, ...projectQuery(project) }), AlertDetail)
}

export function ackAlert(project: string, id: string): Promise<AlertDetail> {
  return read(api.api.alerts[':id'].ack.$post({ param: { id }, ...projectQuery(project) }), AlertDetail)
}

export function resolveAlert(project: string, id: string, note: string): Promise<AlertDetail> {
  return read(
    api.api.alerts[':id'].resolve.$post({ param: { id }, ...projectQuery(project), json: { note } }),
    AlertDetail,
  )
}

export function snoozeAlert(project: string, id: string, input: SnoozeInput): Promise<AlertDetail> {
  const json = 'until' in input ? { until: input.until.toISOString() } : input
  return read(
    api.api.alerts[':id'].snooze.$post({ param: { id }, ...projectQuery(project), json }),
    AlertDetail,
  )
}

export async function listRules(project: string): Promise<AlertRule[]> {
  const body = await read(api.api['alert-rules'].$get(projectQuery(project)), AlertRuleList)
  return body.items
}

export function createRule(input: AlertRuleInput): Promise<AlertRule> {
  return read(api.api['alert-rules'].$post({ json: input }), AlertRule)
}

export function updateRule(id: string, input: AlertRuleInput): Promise<AlertRule> {
  return read(api.api['alert-rules'][':id'].$put({ param: { id }, json: input }), AlertRule)
}

export function deleteRule(project: string, id: string): Promise<void> {
  return expectEmpty(api.api['alert-rules'][':id'].$delete({ param: { id }, ...projectQuery(project) }))
}

export async function listChannels(project: string): Promise<Channel[]> {
  const body = await read(api.api['notification-channels'].$get(projectQuery(project)), ChannelList)
  return body.items
}

export function createChannel(input: ChannelInput): Promise<Channel> {
  return read(api.api['notification-channels'].$post({ json: input }), ChannelSchema)
}

export function deleteChannel(project: string, id: string): Promise<void> {
  return expectEmpty(
    api.api['notification-channels'][':id'].$delete({ param: { id }, ...projectQuery(project) }),
  )
}

/** Sends one test notice now; the answer says whether the receiver took it. */
export function testChannel(project: string, id: string): Promise<TestDelivery> {
  return read(
    api.api['notification-channels'][':id'].test.$post({ param: { id }, ...projectQuery(project) }),
    TestDelivery,
  )
}

export function channelDeliveries(project: string, id: string): Promise<Deliveries> {
  return read(
    api.api['notification-channels'][':id'].deliveries.$get({ param: { id }, ...projectQuery(project) }),
    Deliveries,
  )
}

export interface ReportParams {
  project: string
  /** ISO week (2026-W48); '' = the last complete week. */
  week: string
  /** Pinned baseline week; '' = none. */
  baseline: string
}

function reportQuery(p: ReportParams, format: 'json' | 'md' | 'html') {
  return {
    format,
    ...(p.project ? { project: p.project } : {}),
    ...(p.week ? { week: p.week } : {}),
    ...(p.baseline ? { baseline: p.baseline } : {}),
  }
}

export function weeklyReport(p: ReportParams): Promise<WeeklyReportBody> {
  return read(api.api.reports.weekly.$get({ query: reportQuery(p, 'json') }), WeeklyReportBody)
}

/** Same-origin link to the rendered report (the session cookie authorizes the download). */
export function weeklyReportUrl(p: ReportParams, format: 'md' | 'html'): string {
  // hc's $url needs an absolute base; the client is rooted at '/', so build the relative link here.
  return `/api/reports/weekly?${new URLSearchParams(reportQuery(p, format)).toString()}`
}

export function postLabel(input: LabelInput): Promise<LabelAccepted> {
  return read(api.api.labels.$post({ json: input }), LabelAccepted)
}

/** Removes the logged-in person's labels of one exchange (undo). */
export async function undoLabels(project: string, eventId: string): Promise<void> {
  await expectEmpty(api.api.labels[':eventId'].$delete({ param: { eventId }, query: { project } }))
}

export function reviewQueue(project: string, metric: string, n: number): Promise<ReviewQueue> {
  return read(api.api['review-queue'].$get({ query: { project, metric, n: String(n) } }), ReviewQueue)
}

/** The Leash panel: divergence of a model from its reference (issue 19). */
export function leashView(p: {
  project: string
  model?: string
  from?: string
  to?: string
}): Promise<LeashView> {
  return read(
    api.api.reference.leash.$get({
      query: {
        project: p.project,
        ...(p.model ? { model: p.model } : {}),
        ...(p.from ? { from: p.from } : {}),
        ...(p.to ? { to: p.to } : {}),
      },
    }),
    LeashView,
  )
}
// Access: members, keys, tokens, audit. State-changing calls go same-origin with the session cookie;
// the browser adds `Origin`, which the server's CSRF check requires to be the dashboard's own.

export function listKeys(project: string): Promise<KeyList> {
  return read(api.api.projects[':project'].keys.$get({ param: { project } }), KeyList)
}

export function createKey(project: string, name: string) {
  return read(api.api.projects[':project'].keys.$post({ param: { project }, json: { name } }), CreatedSecret)
}

export function revokeKey(project: string, id: string): Promise<void> {
  return expectEmpty(api.api.projects[':project'].keys[':id'].$delete({ param: { project, id } }))
}

export function listTokens(project: string) {
  return read(api.api.projects[':project'].tokens.$get({ param: { project } }), TokenList)
}

export function createToken(project: string, name: string, role: 'viewer' | 'operator' | 'admin') {
  return read(
    api.api.projects[':project'].tokens.$post({ param: { project }, json: { name, role } }),
    CreatedSecret,
  )
}

export function revokeToken(project: string, id: string): Promise<void> {
  return expectEmpty(api.api.projects[':project'].tokens[':id'].$delete({ param: { project, id } }))
}

export function listMembers(project: string) {
  return read(api.api.projects[':project'].members.$get({ param: { project } }), MemberList)
}

export function setMember(project: string, id: string, role: 'viewer' | 'operator' | 'admin') {
  return expectEmpty(
    api.api.projects[':project'].members[':id'].$put({ param: { project, id }, json: { role } }),
  )
}

export function removeMember(project: string, id: string): Promise<void> {
  return expectEmpty(api.api.projects[':project'].members[':id'].$delete({ param: { project, id } }))
}

export function listUsers(): Promise<UserList> {
  return read(api.api.users.$get(), UserList)
}

export function createUser(input: {
  email: string
  password: string
  projects: { project: string; role: 'viewer' | 'operator' | 'admin' }[]
}) {
  return expectEmpty(api.api.users.$post({ json: { ...input, kind: 'member' } }))
}

export function projectAudit(project: string): Promise<AuditList> {
  return read(api.api.projects[':project'].audit.$get({ param: { project }, query: {} }), AuditList)
}
