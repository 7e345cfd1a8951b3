import type { IncomingMessage } from 'node:http'
import type { MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { principalFromSession, principalFromToken } from '../auth/index.ts'
import { LeashError } from '../errors.ts'
import { markAuthenticated } from '../http/idle-cap.ts'
import type { ApiContext, ApiEnv } from './context.ts'

export const SESSION_COOKIE = 'leash_session'

/** Accepts a dashboard session cookie or an admin bearer token (`LEASH_ADMIN_TOKEN`). */
export function requireLogin(ctx: ApiContext): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization')
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim()
    const cookie = getCookie(c, SESSION_COOKIE)
    const principal = bearer
      ? await principalFromToken(ctx.db, bearer)
      : cookie
        ? await principalFromSession(ctx.db, cookie)
        : null
    if (!principal)
      throw new LeashError('unauthorized', 'log in or send an admin token as `Authorization: Bearer`')
    c.set('principal', principal)
    // Served by @hono/node-server, the env holds the node request (absent under `app.request()`).
    markAuthenticated((c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket)
    await next()
  }
}
