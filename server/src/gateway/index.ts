import type { IncomingMessage, ServerResponse } from 'node:http'
import { Agent } from 'undici'
import type { Endpoint, ExchangeSink } from '../ingest/exchange.ts'
import { GatewayError, sendError } from './errors.ts'
import { newEventId } from './event-id.ts'
import { type ExchangeState, toRecord } from './exchange-state.ts'
import { readHeaderSources, readTags } from './leash-headers.ts'
import { parseRequest } from './parse-request.ts'
import { type ProxyTarget, proxy } from './proxy.ts'
import { readBody } from './read-body.ts'

export interface KeyResolver {
  resolve(rawKey: string): Promise<{ projectId: string } | null>
}

export interface GatewayDeps {
  /** `baseUrl` is the OpenAI base URL including `/v1`, e.g. http://127.0.0.1:9000/v1. */
  upstream: { baseUrl: string; apiKey: string | undefined; name: string }
  keys: KeyResolver
  /** Gets one record per finished exchange, after the caller's response has ended. */
  sink: ExchangeSink
  bodyLimitBytes: number
  /** Time allowed until upstream response headers; also the idle timeout on the response body. */
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
const ROUTE = 'default'
const ignore = () => {}

export function createGateway(deps: GatewayDeps): Gateway {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connections: 512,
    connectTimeout: Math.min(10_000, deps.upstreamTimeoutMs),
  })
  const target: ProxyTarget = {
    agent,
    baseUrl: deps.upstream.baseUrl.replace(/\/+$/, ''),
    apiKey: deps.upstream.apiKey,
    name: deps.upstream.name,
    timeoutMs: deps.upstreamTimeoutMs,
  }

  async function authenticate(req: IncomingMessage): Promise<string> {
    const auth = req.headers.authorization
    const match = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (!match?.[1]) {
      throw new GatewayError(
        401,
        'Missing API key: send Authorization: Bearer <leash project key>.',
        'invalid_request_error',
        'invalid_api_key',
      )
    }
    let found: { projectId: string } | null
    try {
      found = await deps.keys.resolve(match[1])
    } catch (err) {
      deps.log('error', 'gateway key lookup failed', {
        error: err instanceof Error ? err.message : String(err),
      })
      throw new GatewayError(503, 'API key lookup is temporarily unavailable, retry shortly.', 'server_error')
    }
    if (!found)
      throw new GatewayError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')
    return found.projectId
  }

  function finish(state: ExchangeState): void {
    state.endedAt = performance.now()
    // Off the response's tick: parsing the copy and recording never delay the caller.
    setImmediate(() => {
      try {
        deps.sink.record(toRecord(state, ROUTE, target.name))
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
    const projectId = await authenticate(req)
    const state: ExchangeState = {
      eventId: newEventId(time),
      projectId,
      time,
      t0,
      endpoint,
      request: null,
      tags: readTags(req.headers),
      sources: [],
      status: 0,
      outcome: 'ok',
      ttftMs: null,
      endedAt: null,
      errorMessage: '',
      sse: false,
      chunks: [],
      capturedBytes: 0,
    }
    try {
      const body = await readBody(req, deps.bodyLimitBytes)
      state.request = parseRequest(endpoint, body)
      state.sources = readHeaderSources(req.headers) ?? state.request.bodySources ?? []
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
    await proxy(target, req, res, path, state.request.forwardBody, state)
    finish(state)
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const upstreamPath = url.slice(3) // drop '/v1', keep the query string
    const endpoint = POST_ROUTES[path]
    if (endpoint && req.method === 'POST') return exchange(req, res, endpoint, upstreamPath)
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      if (req.method === 'GET') {
        await authenticate(req)
        return proxy(target, req, res, upstreamPath, null, null)
      }
    }
    const known = endpoint !== undefined || path === '/v1/models' || path.startsWith('/v1/models/')
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
      route(req, res).catch((err: unknown) => {
        if (err instanceof GatewayError) return sendError(res, err)
        deps.log('error', 'gateway request failed', {
          error: err instanceof Error ? err.message : String(err),
        })
        sendError(res, new GatewayError(500, 'The gateway failed to handle this request.', 'server_error'))
      })
    },
    async close() {
      await agent.destroy()
    },
  }
}
