import type { IncomingMessage } from 'node:http'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import {
  atLeast,
  bestRole,
  type Permission,
  type ProjectRole,
  permissionFor,
  principalFromSession,
  principalFromToken,
} from '../auth/index.ts'
import { auditLog } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'
import { markAuthenticated } from '../http/idle-cap.ts'
import type { ApiContext, ApiEnv } from './context.ts'

export const SESSION_COOKIE = 'leash_session'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function incoming(c: Context): IncomingMessage | undefined {
  // Served by @hono/node-server, the env holds the node request (absent under `app.request()`).
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
}

/** The client's address: the socket's, or the first `X-Forwarded-For` hop behind a trusted proxy. */
export function clientAddress(c: Context, ctx: Pick<ApiContext, 'trustProxy'>): string {
  if (ctx.trustProxy) {
    const hop = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
    if (hop) return hop
  }
  return incoming(c)?.socket?.remoteAddress ?? 'unknown'
}

/** Whether the request reached Leash over TLS (directly, per LEASH_PUBLIC_URL, or per a trusted proxy). */
export function overTls(
  c: Context,
  ctx: Pick<ApiContext, 'trustProxy' | 'publicUrl' | 'secureCookies'>,
): boolean {
  if (ctx.secureCookies || ctx.publicUrl?.startsWith('https:')) return true
  if (ctx.trustProxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https') return true
  return new URL(c.req.url).protocol === 'https:'
}

/**
 * CSRF: a state-changing request a browser makes from another origin is refused. Browsers send
 * `Sec-Fetch-Site` (anything but `same-origin`/`none` is refused: another port on the same host is
 * `same-site`, and the cookie's SameSite does not stop it) and `Origin` (must be this host or
 * LEASH_PUBLIC_URL). Callers without a cookie (scripts with a Bearer token) are not browsers' victims.
 */
export function refuseCrossSite(c: Context, ctx: Pick<ApiContext, 'publicUrl'>): void {
  if (SAFE_METHODS.has(c.req.method)) return
  const fetchSite = c.req.header('sec-fetch-site')
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none')
    throw new LeashError('forbidden', `cross-site request refused (Sec-Fetch-Site: ${fetchSite})`)
  const origin = c.req.header('origin')
  if (origin === undefined) return
  let host: string
  try {
    host = new URL(origin).host
  } catch {
    throw new LeashError('forbidden', 'cross-site request refused (Origin: null)')
  }
  const own = c.req.header('host')
  const publicHost = ctx.publicUrl ? new URL(ctx.publicUrl).host : undefined
  if (host !== own && host !== publicHost)
    throw new LeashError('forbidden', `cross-site request refused (Origin: ${origin})`)
}

/**
 * The API handler route a request matched, as in `app.routes`: the first non-middleware entry under
 * `/api` (the web app around the API adds its own catch-alls after it).
 */
function matchedRoute(c: Context): { method: string; path: string } | undefined {
  for (const r of c.req.matchedRoutes) {
    if (r.method !== 'ALL' && r.path.startsWith('/api/') && !r.path.endsWith('*'))
      return { method: r.method, path: r.path }
  }
  return undefined
}

async function authenticate(c: Context<ApiEnv>, ctx: ApiContext) {
  const header = c.req.header('authorization')
  const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim()
  const cookie = getCookie(c, SESSION_COOKIE)
  if (!bearer && cookie) refuseCrossSite(c, ctx)
  const principal = bearer
    ? await principalFromToken(ctx.db, bearer)
    : cookie
      ? await principalFromSession(ctx.db, cookie)
      : null
  if (!principal)
    throw new LeashError('unauthorized', 'log in or send an admin token as `Authorization: Bearer`')
  return principal
}

/**
 * The one gate in front of every `/api` route: looks the matched route up in `ROUTE_PERMISSIONS`,
 * authenticates, refuses what the principal's role cannot do, and writes an audit row for every
 * state-changing call a user made. A route without a declared permission answers 500.
 */
export function authorize(ctx: ApiContext): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const route = matchedRoute(c)
    if (!route) return next() // the 404 handler answers
    const permission: Permission | undefined = permissionFor(route.method, route.path)
    if (!permission)
      throw new LeashError('internal', `no permission declared for ${route.method} ${route.path}`)
    c.set('permission', permission)
    if (permission === 'public') {
      refuseCrossSite(c, ctx)
      return next()
    }
    if (permission === 'key') return next()
    const principal = await authenticate(c, ctx)
    c.set('principal', principal)
    markAuthenticated(incoming(c)?.socket)
    if (permission === 'owner' && (principal.role !== 'admin' || principal.scope))
      throw new LeashError('forbidden', 'only the instance owner may do this')
    if (
      permission !== 'owner' &&
      permission !== 'login' &&
      !atLeast(await bestRole(ctx.db, principal), permission)
    )
      throw new LeashError('forbidden', `this needs the ${permission} role`)
    await next()
    if (!SAFE_METHODS.has(c.req.method)) await audit(c, ctx, route.method, route.path)
  }
}

/**
 * For the routes declared `key` that also take a user (labels: an application's project key, or a person
 * with a dashboard session or an admin token): authenticates as `authorize` does, with the CSRF check,
 * and sets the project role the route needs for `projectScope` to check; audited like any other call.
 */
export function requireLogin(ctx: ApiContext, need: ProjectRole): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = await authenticate(c, ctx)
    c.set('principal', principal)
    c.set('permission', need)
    markAuthenticated(incoming(c)?.socket)
    await next()
    if (!SAFE_METHODS.has(c.req.method)) await audit(c, ctx, c.req.method, c.req.routePath)
  }
}

async function audit(c: Context<ApiEnv>, ctx: ApiContext, method: string, route: string): Promise<void> {
  const principal = c.get('principal')
  try {
    await ctx.db.insert(auditLog).values({
      userId: principal.userId,
      actor: principal.scope ? `${principal.email} (token)` : principal.email,
      action: `${method} ${route}`,
      path: c.req.path,
      status: c.res.status,
      projectId: c.get('projectId') ?? null,
      ip: clientAddress(c, ctx),
    })
  } catch (err) {
    ctx.log('error', 'audit log write failed', { error: (err as Error).message })
  }
}
