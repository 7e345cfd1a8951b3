import type { IncomingMessage, ServerResponse } from 'node:http'
import { ProjectSettings } from '@leash/shared'
import type { Endpoint, ExchangeSink } from '../exchange/record.ts'
import { markAuthenticated } from '../http/idle-cap.ts'
import { observeCall } from '../observe/metrics.ts'
import { type Caller, createAuthenticator, type KeyResolver } from './auth.ts'
import { GatewayError, sendError, speakAnthropic } from './errors.ts'
import { newEventId } from './event-id.ts'
import { type ExchangeState, toRecordSafely } from './exchange-state.ts'
import { forwardHeaders, readHeaderSources, readTags } from './leash-headers.ts'
import { parseRequest } from './parse-request.ts'
import { forwardFor } from './paths.ts'
import { type ProxyPlan, proxy } from './proxy.ts'
import { readBody } from './read-body.ts'
import { AgentPool, DEFAULT_ROUTE, makeUpstream, type Route, RouteTable } from './upstreams.ts'

export type { KeyResolver } from './auth.ts'

/** Per-project settings, served from memory (see projects/settings.ts). */
export interface SettingsSource {
  get(projectId: string): ProjectSettings
}

export interface GatewayDeps {
  /** `baseUrl` is the OpenAI base URL including `/v1`, e.g. http://127.0.0.1:9000/v1. */
  upstream: { baseUrl: string; apiKey: string | undefined; name: string }
  /** Default upstream of `/v1/messages`: an Anthropic base URL without `/v1`; unset = routes only. */
  anthropic?: { baseUrl: string; apiKey: string | undefined; name: string }
  /** `POST /v1/traces` (OTLP/HTTP), once the caller's project key checked out; unset answers 404. */
  traces?: (req: IncomingMessage, res: ServerResponse, caller: TracesCaller) => void
  keys: KeyResolver
  /** Gets one record per exchange, before the caller's response ends (so a killed process keeps it). */
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

/** The project of an OTLP export, or why its key was refused (answered in OTLP's shape by the receiver). */
export type TracesCaller = { projectId: string } | { status: number; message: string }

export interface GatewayStats {
  /** Calls being answered right now. */
  inflight: number
  /** Records that could not be built normally and were stored with the request kept as text. */
  simplified: number
}

export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): void
  /** Resolves true once no call is in flight, false if `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>
  stats(): GatewayStats
  close(): Promise<void>
}

/** The caller's `x-api-key` is Leash's (or the provider's, re-added by the proxy): never forwarded as is. */
function withoutApiKey(headers: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < headers.length; i += 2)
    if (headers[i] !== 'x-api-key') out.push(headers[i] as string, headers[i + 1] as string)
  return out
}

const DEFAULT_SETTINGS: ProjectSettings = ProjectSettings.parse({})
const ignore = () => {}

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
  const anthropicRoute: Route | null = deps.anthropic
    ? {
        name: DEFAULT_ROUTE,
        upstreams: [
          makeUpstream(pool, {
            name: deps.anthropic.name,
            baseUrl: deps.anthropic.baseUrl,
            apiKey: deps.anthropic.apiKey,
            timeoutMs: deps.upstreamTimeoutMs,
            api: 'anthropic',
          }),
        ],
      }
    : null
  const routes = new RouteTable(pool, deps.env ?? {}, deps.upstreamTimeoutMs)
  const settingsOf = (projectId: string) => deps.settings?.get(projectId) ?? DEFAULT_SETTINGS
  const authenticate = createAuthenticator(deps.keys, deps.log)
  let inflight = 0
  let simplified = 0
  let drained: Array<() => void> = []
  const callEnded = () => {
    inflight--
    if (inflight === 0 && drained.length > 0) for (const d of drained.splice(0)) d()
  }

  /**
   * Builds and hands over the record at once: the proxy calls this before it ends the caller's
   * response, so the spool has `write(2)`-en it before the caller can see the end.
   */
  function finish(state: ExchangeState | null): void {
    if (!state || state.endedAt !== null) return
    state.endedAt = performance.now()
    observeCall(state)
    const { record, simplified: why } = toRecordSafely(state)
    if (why !== null) {
      simplified++
      deps.log('warn', 'gateway: exchange recorded without parsing; request kept as text', {
        eventId: state.eventId,
        error: why,
        simplified,
      })
    }
    try {
      deps.sink.record(record)
    } catch (err) {
      deps.log('error', 'gateway could not record an exchange', {
        eventId: state.eventId,
        error: err instanceof Error ? err.message : String(err),
      })
    }
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
    if (endpoint === 'messages') speakAnthropic(res)
    const caller = authenticate(req, endpoint === 'messages')
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
    markAuthenticated(req.socket)
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
      receivedBytes: 0,
    }
    readBody(req, deps.bodyLimitBytes, (readErr, body) => {
      let route = defaultRoute
      try {
        if (readErr) throw readErr
        state.request = parseRequest(endpoint, body)
        state.sources = readHeaderSources(req.headers) ?? state.request.bodySources ?? []
        route = routeFor(endpoint, routes.match(settings, state.request.model))
      } catch (err) {
        const ge =
          err instanceof GatewayError
            ? err
            : new GatewayError(400, 'invalid request', 'invalid_request_error')
        const gone = res.destroyed
        state.status = gone ? 499 : ge.status
        state.outcome = gone ? 'client_aborted' : 'gateway_error'
        state.errorMessage = gone ? 'client disconnected while sending the request' : ge.message
        finish(state)
        sendError(res, ge, { 'x-leash-event-id': state.eventId })
        return
      }
      const parsed = state.request
      state.route = route.name
      const plan: ProxyPlan = {
        route,
        method: 'POST',
        path,
        headers:
          endpoint === 'messages' ? withoutApiKey(forwardHeaders(req.headers)) : forwardHeaders(req.headers),
        callerAuthorization: caller.authorization,
        ...(caller.authorizationHeader ? { callerAuthHeader: caller.authorizationHeader } : {}),
        request: parsed,
        stripUsage: parsed.injectUsage,
      }
      proxy(plan, res, state, finish)
    })
  }

  /** A route serves an endpoint of the API its upstreams speak; otherwise the API's default upstream. */
  function routeFor(endpoint: Endpoint, matched: Route | null): Route {
    const anthropic = endpoint === 'messages'
    if (matched && (matched.upstreams[0]?.authHeader === 'x-api-key') === anthropic) return matched
    if (!anthropic) return defaultRoute
    if (anthropicRoute) return anthropicRoute
    throw new GatewayError(
      404,
      'No Anthropic upstream is configured: set LEASH_ANTHROPIC_UPSTREAM_URL, or a route with an upstream of api "anthropic".',
      'not_found_error',
    )
  }

  function handleTraces(req: IncomingMessage, res: ServerResponse): void {
    const receive = deps.traces
    if (!receive) {
      req.resume()
      sendError(res, new GatewayError(404, 'The OTLP receiver is not running.', 'not_found_error'))
      return
    }
    const go = (c: Caller) => {
      markAuthenticated(req.socket)
      receive(req, res, { projectId: c.projectId })
    }
    const refuse = (err: unknown) =>
      err instanceof GatewayError
        ? receive(req, res, { status: err.status, message: err.message })
        : fail(res, err)
    try {
      const caller = authenticate(req)
      if (caller instanceof Promise) caller.then(go, refuse)
      else go(caller)
    } catch (err) {
      refuse(err)
    }
  }

  function handleModels(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.on('error', ignore)
    const go = (caller: Caller) => {
      markAuthenticated(req.socket)
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
    }
    const caller = authenticate(req)
    if (caller instanceof Promise) caller.then(go, (err: unknown) => fail(res, err))
    else go(caller)
  }

  return {
    handle(req, res) {
      // A caller that vanishes makes the response error; that is an outcome, never a crash. (The
      // request's errors are listened to by the body reader.)
      res.on('error', ignore)
      inflight++
      res.on('close', callEnded)
      try {
        const f = forwardFor(req.method, req.url ?? '/')
        if (f.kind === 'exchange') exchange(req, res, f.endpoint, f.upstreamPath)
        else if (f.kind === 'otlp') handleTraces(req, res)
        else handleModels(req, res, f.upstreamPath)
      } catch (err) {
        fail(res, err)
      }
    },
    drain(timeoutMs) {
      if (inflight === 0) return Promise.resolve(true)
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs)
        drained.push(() => {
          clearTimeout(t)
          resolve(true)
        })
      })
    },
    stats: () => ({ inflight, simplified }),
    async close() {
      drained = []
      pool.destroy()
    },
  }
}
