import type { IncomingMessage, ServerResponse } from 'node:http'
import { ProjectSettings } from '@leash/shared'
import type { Endpoint, ExchangeSink } from '../exchange/record.ts'
import { GatewayError, sendError } from './errors.ts'
import { newEventId } from './event-id.ts'
import { type ExchangeState, toRecord } from './exchange-state.ts'
import { forwardHeaders, readHeaderSources, readTags } from './leash-headers.ts'
import { parseRequest } from './parse-request.ts'
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
  /** Records are built in one batch this many ms after the first call that ended; default 0 (next tick). */
  recordDelayMs?: number
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
const RECORD_DELAY_MS = 0
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

  const unavailable = (err: unknown): GatewayError => {
    deps.log('error', 'gateway key lookup failed', {
      error: err instanceof Error ? err.message : String(err),
    })
    return new GatewayError(503, 'API key lookup is temporarily unavailable, retry shortly.', 'server_error')
  }
  const remember = (raw: string, found: { projectId: string } | null, now: number, passThrough?: string) => {
    if (!found)
      throw new GatewayError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')
    if (recentKeys.size >= 10_000) recentKeys.clear()
    recentKeys.set(raw, { projectId: found.projectId, until: now + RECENT_KEY_MS })
    return { projectId: found.projectId, authorization: passThrough }
  }

  /**
   * Mode (a): Leash key as the Bearer. Mode (b): Leash key in `x-leash-key`, provider key as the Bearer.
   * A key seen in the last second is answered synchronously (no promise on the hot path).
   */
  function authenticate(req: IncomingMessage): Caller | Promise<Caller> {
    const leashKey = req.headers['x-leash-key']
    const auth = req.headers.authorization
    let raw: string | undefined
    let passThrough: string | undefined
    if (typeof leashKey === 'string' && leashKey.trim() !== '') {
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
    if (recent && recent.until > now) return { projectId: recent.projectId, authorization: passThrough }
    const key = raw
    let pending: Promise<{ projectId: string } | null>
    try {
      pending = deps.keys.resolve(key)
    } catch (err) {
      throw unavailable(err)
    }
    return pending.then(
      (found) => remember(key, found, now, passThrough),
      (err: unknown) => {
        throw unavailable(err)
      },
    )
  }

  // Records are built off the response's tick, in one batch per event-loop turn: parsing the copy,
  // pricing, redacting and recording never delay a caller. `recordDelayMs` > 0 batches over a window
  // instead, which kept that work from running while the caller is being woken up and cut the c=1
  // median on a 2-core machine (docs/decisions/002); it is off by default because callers of
  // `pipeline.flush()` expect a finished call's record to be handed over on the next tick.
  let batch: ExchangeState[] = []
  let batchTimer: NodeJS.Timeout | null = null
  const recordDelayMs = deps.recordDelayMs ?? RECORD_DELAY_MS
  function recordBatch(): void {
    batchTimer = null
    const states = batch
    batch = []
    for (const state of states) {
      try {
        deps.sink.record(toRecord(state))
      } catch (err) {
        deps.log('error', 'gateway could not record an exchange', {
          eventId: state.eventId,
          error: err instanceof Error ? err.message : String(err),
        })
      }
    }
  }
  function finish(state: ExchangeState | null): void {
    if (!state || state.endedAt !== null) return
    state.endedAt = performance.now()
    if (batch.length === 0) {
      if (recordDelayMs > 0) batchTimer = setTimeout(recordBatch, recordDelayMs)
      else setImmediate(recordBatch)
    }
    batch.push(state)
  }

  function fail(res: ServerResponse, err: unknown): void {
    if (err instanceof GatewayError) {
      sendError(res, err)
      return
    }
    deps.log('error', 'gateway request failed', {
      error: err instanceof Error ? err.message : String(err),
    })
    sendError(res, new GatewayError(500, 'The gateway failed to handle this request.', 'server_error'))
  }

  function exchange(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, path: string): void {
    const time = Date.now()
    const t0 = performance.now()
    const caller = authenticate(req)
    if (caller instanceof Promise)
      caller.then(
        (c) => start(req, res, endpoint, path, c, time, t0),
        (err: unknown) => fail(res, err),
      )
    else start(req, res, endpoint, path, caller, time, t0)
  }

  function start(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: Endpoint,
    path: string,
    caller: Caller,
    time: number,
    t0: number,
  ): void {
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
    readBody(req, deps.bodyLimitBytes, (readErr, body) => {
      let route = defaultRoute
      try {
        if (readErr) throw readErr
        state.request = parseRequest(endpoint, body)
        state.sources = readHeaderSources(req.headers) ?? state.request.bodySources ?? []
        route = routes.match(settings, state.request.model) ?? defaultRoute
      } catch (err) {
        const ge =
          err instanceof GatewayError
            ? err
            : new GatewayError(400, 'invalid request', 'invalid_request_error')
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
        request: parsed,
        stripUsage: parsed.injectUsage,
      }
      proxy(plan, res, state, finish)
    })
  }

  function handleModels(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.on('error', ignore)
    const go = (caller: Caller) =>
      proxy(
        {
          route: defaultRoute,
          method: 'GET',
          path,
          headers: forwardHeaders(req.headers),
          callerAuthorization: caller.authorization,
          request: null,
          stripUsage: false,
        },
        res,
        null,
        finish,
      )
    const caller = authenticate(req)
    if (caller instanceof Promise) caller.then(go, (err: unknown) => fail(res, err))
    else go(caller)
  }

  function dispatch(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const upstreamPath = url.slice(3) // drop '/v1', keep the query string
    const endpoint = POST_ROUTES[path]
    if (endpoint && req.method === 'POST') {
      exchange(req, res, endpoint, upstreamPath)
      return
    }
    const models = path === '/v1/models' || path.startsWith('/v1/models/')
    if (models && req.method === 'GET') {
      handleModels(req, res, upstreamPath)
      return
    }
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
      // A caller that vanishes makes the response error; that is an outcome, never a crash. (The
      // request's errors are listened to by the body reader.)
      res.on('error', ignore)
      try {
        dispatch(req, res)
      } catch (err) {
        fail(res, err)
      }
    },
    async close() {
      // Calls that ended before close are recorded now, before the caller closes the sink.
      if (batchTimer) clearTimeout(batchTimer)
      if (batch.length > 0) recordBatch()
      pool.destroy()
    },
  }
}
