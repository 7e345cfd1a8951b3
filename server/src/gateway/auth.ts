import type { IncomingMessage } from 'node:http'
import { GatewayError } from './errors.ts'

export interface KeyResolver {
  resolve(rawKey: string): Promise<{ projectId: string } | null>
}

export interface Caller {
  projectId: string
  /** Pass-through mode: the caller's provider `Authorization`, forwarded unchanged, never stored. */
  authorization: string | undefined
  /** The header `authorization` came in (and goes out) as, when not `authorization` (Anthropic's `x-api-key`). */
  authorizationHeader?: 'x-api-key'
}

type Log = (level: 'error', msg: string, fields?: Record<string, unknown>) => void

const caller = (projectId: string, authorization: string | undefined, header?: 'x-api-key'): Caller =>
  header ? { projectId, authorization, authorizationHeader: header } : { projectId, authorization }

const BEARER = /^Bearer\s+(\S+)\s*$/i
const RECENT_KEY_MS = 1_000

/**
 * Mode (a): Leash key as the Bearer. Mode (b): Leash key in `x-leash-key`, provider key as the Bearer.
 * A key seen in the last second is answered synchronously (no promise on the hot path).
 */
export function createAuthenticator(
  keys: KeyResolver,
  log: Log,
): (req: IncomingMessage, anthropic?: boolean) => Caller | Promise<Caller> {
  // Raw key -> project for a second, sparing the resolver's hash on every call of a busy client.
  const recentKeys = new Map<string, { projectId: string; until: number }>()
  const unavailable = (err: unknown): GatewayError => {
    log('error', 'gateway key lookup failed', { error: err instanceof Error ? err.message : String(err) })
    return new GatewayError(503, 'API key lookup is temporarily unavailable, retry shortly.', 'server_error')
  }
  const remember = (
    raw: string,
    found: { projectId: string } | null,
    now: number,
    passThrough?: string,
    header?: 'x-api-key',
  ): Caller => {
    if (!found)
      throw new GatewayError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')
    if (recentKeys.size >= 10_000) recentKeys.clear()
    recentKeys.set(raw, { projectId: found.projectId, until: now + RECENT_KEY_MS })
    return caller(found.projectId, passThrough, header)
  }
  return (req, anthropic = false) => {
    const leashKey = req.headers['x-leash-key']
    const auth = req.headers.authorization
    const apiKey = req.headers['x-api-key']
    let raw: string | undefined
    let passThrough: string | undefined
    let header: 'x-api-key' | undefined
    // Anthropic callers send their key as `x-api-key` (or a Bearer): the Leash key there, or the
    // provider's with the Leash key in x-leash-key.
    if (anthropic && typeof leashKey === 'string' && leashKey.trim() !== '') {
      raw = leashKey.trim()
      if (typeof apiKey === 'string' && apiKey !== '') {
        passThrough = apiKey
        header = 'x-api-key'
      } else passThrough = auth
    } else if (anthropic && typeof apiKey === 'string' && apiKey.trim() !== '') {
      raw = apiKey.trim()
    } else if (typeof leashKey === 'string' && leashKey.trim() !== '') {
      raw = leashKey.trim()
      passThrough = auth
    } else if (auth !== undefined) {
      raw = BEARER.exec(auth)?.[1]
    }
    if (!raw) {
      throw new GatewayError(
        401,
        'Missing API key: send Authorization: Bearer <leash project key>, or x-leash-key with your provider key as the Bearer.',
        'invalid_request_error',
        'invalid_api_key',
      )
    }
    const now = Date.now()
    const recent = recentKeys.get(raw)
    if (recent && recent.until > now) return caller(recent.projectId, passThrough, header)
    const key = raw
    let pending: Promise<{ projectId: string } | null>
    try {
      pending = keys.resolve(key)
    } catch (err) {
      throw unavailable(err)
    }
    return pending.then(
      (found) => remember(key, found, now, passThrough, header),
      (err: unknown) => {
        throw unavailable(err)
      },
    )
  }
}
