import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { isPostgresUnavailable } from '../db/postgres/index.ts'
import { HTTP_STATUS, LeashError } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { ApiEnv } from './context.ts'

/** Maps any thrown error to `{ error: { code, message, requestId } }`; internals never reach the client. */
export function toErrorResponse(err: unknown, c: Context<ApiEnv>, log: Logger): Response {
  const requestId = c.get('requestId') ?? 'unknown'
  if (err instanceof LeashError) {
    return c.json({ error: { code: err.code, message: err.message, requestId } }, HTTP_STATUS[err.code])
  }
  if (isPostgresUnavailable(err)) {
    const message = 'PostgreSQL is unreachable; retry shortly'
    return c.json({ error: { code: 'storage_unavailable', message, requestId } }, 503)
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = err.status === 401 ? 'unauthorized' : err.status === 404 ? 'not_found' : 'bad_request'
    return c.json({ error: { code, message: err.message || 'bad request', requestId } }, err.status)
  }
  log('error', 'api request failed', {
    requestId,
    path: c.req.path,
    error: String((err as Error)?.stack ?? err),
  })
  return c.json({ error: { code: 'internal', message: 'internal error', requestId } }, 500)
}
