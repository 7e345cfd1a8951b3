import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http'
import { GatewayError, sendError } from './errors.ts'
import { capture, type ExchangeState } from './exchange-state.ts'
import { responseHeaders } from './leash-headers.ts'
import type { Route, Upstream } from './upstreams.ts'
import { UsageStripper } from './usage-strip.ts'

/** How one call should be sent: the route's upstreams in order, and what to send each of them. */
export interface ProxyPlan {
  route: Route
  method: 'GET' | 'POST'
  /** Path after the base URL's path, query included, e.g. `/chat/completions`. */
  path: string
  /** Caller headers to forward (hop-by-hop, host, auth and x-leash-* already removed). */
  headers: Record<string, string>
  /** Pass-through auth: the caller's own `Authorization`, forwarded unchanged. */
  callerAuthorization: string | undefined
  body: ((u: Upstream) => Buffer) | null
  /** Strip the usage Leash asked for on the caller's behalf (chat streams without include_usage). */
  stripUsage: boolean
}

interface Failure {
  upstream: Upstream
  timeout: boolean
  why: string
}

type Attempt = { ok: true; upReq: ClientRequest; upRes: IncomingMessage } | { ok: false; failure: Failure }

/** Requests destroyed by their idle timer, to tell "went idle" from "closed" mid-body. */
const TIMED_OUT = new WeakSet<ClientRequest>()

function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return ''
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof e.code === 'string') return e.code
  if (Array.isArray(e.errors) && e.errors.length > 0) return errorCode(e.errors[0])
  return e.cause ? errorCode(e.cause) : ''
}

const noop = () => {}

function send(
  u: Upstream,
  plan: ProxyPlan,
  onRequest: (r: ClientRequest) => void,
  retried = false,
): Promise<Attempt> {
  return new Promise((resolve) => {
    const headers = { ...plan.headers }
    const auth = plan.callerAuthorization ?? u.authorization
    if (auth !== undefined) headers.authorization = auth
    if (plan.callerAuthorization === undefined && u.missingKeyEnv) {
      const why = `has no provider key (environment variable ${u.missingKeyEnv} is not set)`
      resolve({ ok: false, failure: { upstream: u, timeout: false, why } })
      return
    }
    const body = plan.body ? plan.body(u) : null
    if (body) headers['content-length'] = String(body.length)
    const upReq = u.client.request({
      agent: retried ? false : u.agent, // the retry gets a connection of its own
      hostname: u.hostname,
      port: u.port,
      path: u.basePath + plan.path,
      method: plan.method,
      headers,
    })
    upReq.setTimeout(u.timeoutMs, () => {
      TIMED_OUT.add(upReq)
      upReq.destroy(new Error('upstream timeout'))
    })
    upReq.once('response', (upRes) => resolve({ ok: true, upReq, upRes }))
    upReq.once('error', (err) => {
      const code = errorCode(err)
      const timedOut = TIMED_OUT.has(upReq)
      // A kept-alive socket the upstream closed while idle: the request never reached it, so one
      // fresh connection is safe to try (what undici and browsers do too).
      if (!retried && !timedOut && upReq.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
        resolve(send(u, plan, onRequest, true))
        return
      }
      const why = timedOut
        ? `did not respond within ${u.timeoutMs} ms`
        : code === 'ECONNREFUSED'
          ? 'refused the connection'
          : `could not be reached (${code || 'unknown error'})`
      resolve({ ok: false, failure: { upstream: u, timeout: timedOut, why } })
    })
    onRequest(upReq)
    upReq.end(body)
  })
}

function failureError(route: Route, failures: Failure[]): GatewayError {
  const last = failures[failures.length - 1] as Failure
  const message =
    failures.length === 1
      ? `upstream ${last.upstream.name} ${last.why}`
      : `all ${failures.length} upstreams of route ${route.name} failed: ${failures
          .map((f) => `${f.upstream.name} ${f.why}`)
          .join('; ')}`
  return last.timeout
    ? new GatewayError(504, message, 'timeout_error', 'upstream_timeout')
    : new GatewayError(502, message, 'upstream_error', 'upstream_unreachable')
}

/**
 * Sends the call to the route's upstreams in order, falling back on a connect error, a timeout or a
 * 5xx while nothing has reached the caller yet, then streams the answer back chunk by chunk, keeping
 * a bounded copy in `state`. Resolves once the caller's response is over; never rejects.
 */
export async function proxy(
  plan: ProxyPlan,
  res: ServerResponse,
  state: ExchangeState | null,
): Promise<void> {
  let clientGone = false
  let current: ClientRequest | null = null
  const note = (outcome: ExchangeState['outcome'], status: number, message: string) => {
    if (!state) return
    state.outcome = outcome
    state.status = status
    state.errorMessage = message
  }
  res.once('close', () => {
    if (res.writableFinished) return
    clientGone = true
    current?.destroy()
    if (res.headersSent) note('client_aborted', res.statusCode, 'client disconnected mid-response')
  })

  const upstreams = plan.route.upstreams
  const failures: Failure[] = []
  let got: { upReq: ClientRequest; upRes: IncomingMessage; upstream: Upstream } | null = null
  for (let i = 0; i < upstreams.length && !clientGone; i++) {
    const u = upstreams[i] as Upstream
    if (state) state.upstream = u.name
    const a = await send(u, plan, (r) => {
      current = r
    })
    if (!a.ok) {
      failures.push(a.failure)
      continue
    }
    a.upReq.on('error', noop) // later socket errors surface on the response
    const status = a.upRes.statusCode ?? 502
    if (status >= 500 && i < upstreams.length - 1 && !clientGone) {
      failures.push({ upstream: u, timeout: false, why: `returned HTTP ${status}` })
      a.upRes.resume() // drain so the socket goes back to the pool
      continue
    }
    got = { ...a, upstream: u }
    break
  }
  if (clientGone) {
    got?.upReq.destroy()
    return note('client_aborted', 499, 'client disconnected before the upstream answered')
  }
  if (!got) {
    const failure = failureError(plan.route, failures)
    note('upstream_error', failure.status, failure.message)
    sendError(res, failure, state ? { 'x-leash-event-id': state.eventId } : undefined)
    return
  }

  const { upReq, upRes, upstream } = got
  const status = upRes.statusCode ?? 502
  const sse = (upRes.headers['content-type'] ?? '').includes('text/event-stream')
  const headers = responseHeaders(upRes.rawHeaders, sse, state?.eventId)
  if (state) {
    state.sse = sse
    state.status = status
    if (status >= 400) note('upstream_error', status, `upstream returned HTTP ${status}`)
    else if (failures.length > 0)
      state.errorMessage = `fell back after: ${failures.map((f) => `${f.upstream.name} ${f.why}`).join('; ')}`
  }
  res.writeHead(status, headers)
  if (sse) res.flushHeaders()
  const stripper = plan.stripUsage && sse && status < 300 ? new UsageStripper() : null

  await new Promise<void>((resolve) => {
    let settled = false
    const settle = () => {
      if (settled) return
      settled = true
      res.off('drain', onDrain)
      resolve()
    }
    const onDrain = () => upRes.resume()
    res.on('drain', onDrain)
    upRes.on('data', (chunk: Buffer) => {
      if (state) {
        if (state.ttftMs === null) state.ttftMs = performance.now() - state.t0
        capture(state, chunk)
      }
      const out = stripper ? stripper.push(chunk) : chunk
      if (out.length > 0 && !res.writableEnded && !res.write(out)) upRes.pause()
    })
    upRes.once('end', () => {
      const rest = stripper?.flush()
      if (rest && !res.writableEnded) res.write(rest)
      res.end(settle)
    })
    upRes.once('error', noop)
    upRes.once('close', () => {
      if (upRes.complete) {
        if (res.writableEnded || res.destroyed) settle()
        return
      }
      if (clientGone) {
        note('client_aborted', status, 'client disconnected mid-response')
      } else {
        const why = TIMED_OUT.has(upReq) ? `went idle for ${upstream.timeoutMs} ms` : 'closed the connection'
        note('stream_error', status, `upstream ${upstream.name} ${why} mid-response`)
        // A cut event stream ends cleanly with what arrived; a cut JSON body must not look complete.
        const rest = stripper?.flush()
        if (rest && !res.writableEnded) res.write(rest)
        if (sse) res.end()
        else res.destroy()
      }
      settle()
    })
    res.once('close', settle)
  })
}
