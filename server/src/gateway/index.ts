import type { IncomingMessage, ServerResponse } from 'node:http'
import { ProjectSettings } from '@leash/shared'
import type { Endpoint, ExchangeSink } from '../ingest/exchange.ts'
import { GatewayError, sendError } from './errors.ts'
import { newEventId } from './event-id.ts'
import { type ExchangeState, toRecord } from './exchange-state.ts'
import { forwardHeaders, readHeaderSources, readTags } from './leash-headers.ts'
import { forwardBody, parseRequest } from './parse-request.ts'
import { type ProxyPlan, proxy } from './proxy.ts'
import { readBody } from './read-body.ts'
import { AgentPool, DEFAULT_ROUTE, makeUpstream, type Route, RouteTable } from './upstreams.ts'

export interface KeyResolver {
  resolve(rawKey: string): Promise<{ projectId: string } | null>
}

/** Per-project settings, served from memory (see projects/settings.ts). */
export interface SettingsSource {
  get(projectId: string): ProjectSettings
}

export interface GatewayDeps {
  /** `baseUrl` is the OpenAI base URL including `/v1`, e.g. http://127.0.0.1:9000/v1. */
  upstream: { baseUrl: string; apiKey: string | undefined; name: string }
  keys: KeyResolver
  /** Gets one record per finished exchange, after the caller's response has ended. */
  sink: ExchangeSink
  /** Routes, prices and redaction per project; without it every project uses the defaults. */
  settings?: SettingsSource
  /** Where route upstreams' `apiKeyEnv` names are looked up (the process environment in production). */
  env?: Record<string, string | undefined>
  bodyLimitBytes: number
  /** Default time allowed until upstream response headers; also the idle timeout on the response body. */
  upstreamTimeoutMs: number
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void
}

export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): void
  close(): Promise<void>
}

const POST_ROUTES: Record<string, Endpoint> = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
}
const DEFAULT_SETTINGS: ProjectSettings = ProjectSettings.parse({})
const BEARER = /^Bearer\s+(\S+)\s*$/i
const RECENT_KEY_MS = 1_000
const ignore = () => {}

interface Caller {
  projectId: string
  /** Pass-through mode: the caller's provider `Authorization`, forwarded unchanged, never stored. */
  authorization: string | undefined
}

export function createGateway(deps: GatewayDeps): Gateway {
  const pool = new AgentPool()
  const defaultRoute: Route = {
    name: DEFAULT_ROUTE,
    upstreams: [
      makeUpstream(pool, {
        name: deps.upstream.name,
        baseUrl: deps.upstream.baseUrl,
        apiKey: deps.upstream.apiKey,
        timeoutMs: deps.upstreamTimeoutMs,
      }),
    ],
  }
  const routes = new RouteTable(pool, deps.env ?? {}, deps.upstreamTimeoutMs)
  const settingsOf = (projectId: string) => deps.settings?.get(projectId) ?? DEFAULT_SETTINGS
  // Raw key -> project for a second, sparing the resolver's hash on every call of a busy client.
  const recentKeys = new Map<string, { projectId: string; until: number }>()

  /** Mode (a): Leash key as the Bearer. Mode (b): Leash key in `x-leash-key`, provider key as the Bearer. */
  async function authenticate(req: IncomingMessage): Promise<Caller> {
    const leashKey = req.headers['x-leash-key']
    const auth = req.headers.authorization
    let raw: string | undefined
    let passThrough: string | undefined
    if (typeof leashKey === 'string' && leashKey.trim() !== '') {
      raw = leashKey.trim()
      passThrough = auth
    } else {
      raw = auth === undefined ? undefined : BEARER.exec(auth)?.[1]
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
    if (recent && recent.until > now) return { projectId: recent.projectId, authorization: passThrough }
    let found: { projectId: string } | null
    try {
      found = await deps.keys.resolve(raw)
    } catch (err) {
      deps.log('error', 'gateway key lookup failed', {
        error: err instanceof Error ? err.message : String(err),
      })
      throw new GatewayError(503, 'API key lookup is temporarily unavailable, retry shortly.', 'server_error')
    }
    if (!found)
      throw new GatewayError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')
    if (recentKeys.size >= 10_000) recentKeys.clear()
    recentKeys.set(raw, { projectId: found.projectId, until: now + RECENT_KEY_MS })
    return { projectId: found.projectId, authorization: passThrough }
  }

  function finish(state: ExchangeState): void {
    state.endedAt = performance.now()
    // Off the response's tick: parsing the copy, pricing, redacting and recording never delay the caller.
    setImmediate(() => {
      try {
        deps.sink.record(toRecord(state))
      } catch (err) {
        deps.log('error', 'gateway could not record an exchange', {
          eventId: state.eventId,
          error: err instanceof Error ? err.message : String(err),
        })
      }
    })
  }

  async function exchange(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, path: string) {
    const time = Date.now()
    const t0 = performance.now()
    const caller = await authenticate(req)
    const settings = settingsOf(caller.projectId)
    const state: ExchangeState = {
      eventId: newEventId(time),
      projectId: caller.projectId,
      settings,
      time,
      t0,
      endpoint,
      request: null,
      tags: readTags(req.headers),
      sources: [],
      route: DEFAULT_ROUTE,
      upstream: '',
      status: 0,
      outcome: 'ok',
      ttftMs: null,
      endedAt: null,
      errorMessage: '',
      sse: false,
      chunks: [],
      capturedBytes: 0,
    }
    let route = defaultRoute
    try {
      const body = await readBody(req, deps.bodyLimitBytes)
      state.request = parseRequest(endpoint, body)
      state.sources = readHeaderSources(req.headers) ?? state.request.bodySources ?? []
      route = routes.match(settings, state.request.model) ?? defaultRoute
    } catch (err) {
      const ge =
        err instanceof GatewayError ? err : new GatewayError(400, 'invalid request', 'invalid_request_error')
      const gone = res.destroyed
      state.status = gone ? 499 : ge.status
      state.outcome = gone ? 'client_aborted' : 'gateway_error'
      state.errorMessage = gone ? 'client disconnected while sending the request' : ge.message
      sendError(res, ge, { 'x-leash-event-id': state.eventId })
      finish(state)
      return
    }
    const parsed = state.request
    state.route = route.name
    const plan: ProxyPlan = {
      route,
      method: 'POST',
      path,
      headers: forwardHeaders(req.headers),
      callerAuthorization: caller.authorization,
      body: (u) => forwardBody(parsed, u.modelMap?.[parsed.model]),
      stripUsage: parsed.injectUsage,
    }
    await proxy(plan, res, state)
    finish(state)
  }

  async function handleModels(req: IncomingMessage, res: ServerResponse, path: string) {
    const caller = await authenticate(req)
    const plan: ProxyPlan = {
      route: defaultRoute,
      method: 'GET',
      path,
      headers: forwardHeaders(req.headers),
      callerAuthorization: caller.authorization,
      body: null,
      stripUsage: false,
    }
    return proxy(plan, res, null)
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const upstreamPath = url.slice(3) // drop '/v1', keep the query string
    const endpoint = POST_ROUTES[path]
    if (endpoint && req.method === 'POST') return exchange(req, res, endpoint, upstreamPath)
    const models = path === '/v1/models' || path.startsWith('/v1/models/')
    if (models && req.method === 'GET') return handleModels(req, res, upstreamPath)
    const known = endpoint !== undefined || models
    throw new GatewayError(
      known ? 405 : 404,
      known
        ? `Method ${req.method} is not allowed on ${path}.`
        : `Unknown request URL: ${req.method} ${path}.`,
      'invalid_request_error',
      known ? 'method_not_allowed' : 'unknown_url',
    )
  }

  return {
    handle(req, res) {
      // A caller that vanishes makes these streams error; that is an outcome, never a crash.
      req.on('error', ignore)
      res.on('error', ignore)
      dispatch(req, res).catch((err: unknown) => {
        if (err instanceof GatewayError) return sendError(res, err)
        deps.log('error', 'gateway request failed', {
          error: err instanceof Error ? err.message : String(err),
        })
        sendError(res, new GatewayError(500, 'The gateway failed to handle this request.', 'server_error'))
      })
    },
    async close() {
      pool.destroy()
    },
  }
}
