import type { AppType } from '@leash/server/api'
import { ExchangesPage, Me, Project, TimeSeries } from '@leash/shared'
import { hc } from 'hono/client'
import { z } from 'zod'
import { toApiError } from './api-error.ts'

export { ApiError, errorMessage, isUnauthorized } from './api-error.ts'

const api = hc<AppType>('/', { init: { credentials: 'same-origin' } })

const ProjectsList = z.object({ items: z.array(Project) })

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
  const body = await read(api.api.projects.$get(), ProjectsList)
  return body.items
}

export interface ExchangesParams {
  limit: number
  offset: number
  project?: string | undefined
}

export function listExchanges(params: ExchangesParams): Promise<ExchangesPage> {
  const query = {
    limit: String(params.limit),
    offset: String(params.offset),
    ...(params.project ? { project: params.project } : {}),
  }
  return read(api.api.exchanges.$get({ query }), ExchangesPage)
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
