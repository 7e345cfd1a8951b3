import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http'
import { GatewayError, sendError } from './errors.ts'
import { capture, type ExchangeState } from './exchange-state.ts'
import { responseHeaders } from './leash-headers.ts'
import { forwardBody, type ParsedRequest } from './parse-request.ts'
import type { Route, Upstream } from './upstreams.ts'
import { UsageStripper } from './usage-strip.ts'

/** How one call should be sent: the route's upstreams in order, and what to send each of them. */
export interface ProxyPlan {
  route: Route
  method: 'GET' | 'POST'
  /** Path after the base URL's path, query included, e.g. `/chat/completions`. */
  path: string
  /**
   * Caller headers to forward as a flat `[name, value, ...]` list (hop-by-hop, host, length, auth and
   * x-leash-* already removed); the proxy adds `host`, `authorization` and `content-length`.
   */
  headers: string[]
  /** Pass-through auth: the caller's own `Authorization`, forwarded unchanged. */
  callerAuthorization: string | undefined
  /** The header the caller's key came in; `authorization` when absent. */
  callerAuthHeader?: 'x-api-key'
  /** The parsed POST body (sent as-is or rewritten per upstream); null for a GET. */
  request: ParsedRequest | null
  /** Strip the usage Leash asked for on the caller's behalf (chat streams without include_usage). */
  stripUsage: boolean
}

interface Failure {
  upstream: Upstream
  timeout: boolean
  why: string
}

function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return ''
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof e.code === 'string') return e.code
  if (Array.isArray(e.errors) && e.errors.length > 0) return errorCode(e.errors[0])
  return e.cause ? errorCode(e.cause) : ''
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

/*
 * The hot path allocates one `Call` per request and no closures: every event listener below is a
 * module-level function that finds its call through a symbol on the emitter (`this` in a listener is
 * the emitter). One listener per event, registered with `on` (a `once` wrapper costs more, and these
 * emitters live exactly as long as the call).
 */
const CALL = Symbol('leash.call')
type WithCall<T> = T & { [CALL]?: Call }

class Call {
  i = -1
  failures: Failure[] | null = null
  upReq: ClientRequest | null = null
  upRes: IncomingMessage | null = null
  upstream: Upstream | null = null
  retried = false
  timedOut = false
  clientGone = false
  /** The proxy itself cut the caller's response (a broken JSON body), so its close is not the caller's. */
  cut = false
  drainHooked = false
  stripper: UsageStripper | null = null
  status = 0
  sse = false
  finished = false
  /** Declared `content-length` of a JSON answer (-1 when none): its last bytes wait for the record. */
  declared = -1
  received = 0
  held: Buffer | null = null

  constructor(
    readonly plan: ProxyPlan,
    readonly res: ServerResponse,
    readonly state: ExchangeState | null,
    readonly done: (state: ExchangeState | null) => void,
  ) {}

  note(outcome: ExchangeState['outcome'], status: number, message: string): void {
    const s = this.state
    if (!s) return
    s.outcome = outcome
    s.status = status
    s.errorMessage = message
  }

  fail(f: Failure): void {
    if (this.failures) this.failures.push(f)
    else this.failures = [f]
  }

  /** Tries the next upstream of the route, or answers with what went wrong when none is left. */
  next(): void {
    const upstreams = this.plan.route.upstreams
    while (!this.clientGone) {
      const i = ++this.i
      if (i >= upstreams.length) {
        const failure = failureError(this.plan.route, this.failures ?? [])
        this.note('upstream_error', failure.status, failure.message)
        const state = this.state
        this.finish()
        sendError(this.res, failure, state ? { 'x-leash-event-id': state.eventId } : undefined)
        return
      }
      const u = upstreams[i] as Upstream
      if (this.state) this.state.upstream = u.name
      this.retried = false
      if (this.send(u)) return
    }
  }

  /** Starts one attempt; false when it failed before a request could be made. */
  send(u: Upstream): boolean {
    const plan = this.plan
    const auth = plan.callerAuthorization ?? u.authorization
    if (plan.callerAuthorization === undefined && u.missingKeyEnv) {
      const why = `has no provider key (environment variable ${u.missingKeyEnv} is not set)`
      this.fail({ upstream: u, timeout: false, why })
      return false
    }
    const req = plan.request
    const body = req ? forwardBody(req, u.modelMap?.[req.model]) : null
    const headers = plan.headers.slice()
    headers.push('host', u.hostHeader)
    if (auth !== undefined)
      headers.push(
        plan.callerAuthorization === undefined ? u.authHeader : (plan.callerAuthHeader ?? 'authorization'),
        auth,
      )
    if (body) headers.push('content-length', String(body.length))
    this.upstream = u
    this.timedOut = false
    const upReq: WithCall<ClientRequest> = u.client.request({
      agent: this.retried ? false : u.agent, // the retry gets a connection of its own
      hostname: u.hostname,
      port: u.port,
      path: u.basePath + plan.path,
      method: plan.method,
      headers,
      timeout: u.timeoutMs,
    })
    upReq[CALL] = this
    this.upReq = upReq
    upReq.on('timeout', onUpTimeout)
    upReq.on('response', onUpResponse)
    upReq.on('error', onUpError)
    upReq.end(body)
    return true
  }

  /** Streams the chosen upstream answer to the caller, keeping a bounded copy in `state`. */
  respond(upRes: WithCall<IncomingMessage>): void {
    const state = this.state
    const status = upRes.statusCode ?? 502
    const sse = (upRes.headers['content-type'] ?? '').includes('text/event-stream')
    this.status = status
    this.sse = sse
    this.upRes = upRes
    const length = upRes.headers['content-length']
    if (state && !sse && length !== undefined) this.declared = Number(length)
    const headers = responseHeaders(upRes.rawHeaders, sse, state?.eventId)
    if (state) {
      state.sse = sse
      state.status = status
      if (status >= 400) this.note('upstream_error', status, `upstream returned HTTP ${status}`)
      else if (this.failures)
        state.errorMessage = `fell back after: ${this.failures.map((f) => `${f.upstream.name} ${f.why}`).join('; ')}`
    }
    const res = this.res
    res.writeHead(status, headers)
    if (sse) res.flushHeaders()
    if (this.plan.stripUsage && sse && status < 300) this.stripper = new UsageStripper()
    upRes[CALL] = this
    upRes.on('data', onUpData)
    upRes.on('end', onUpEnd)
    upRes.on('error', noop)
    upRes.on('close', onUpClose)
  }

  /** The caller's response is over (finished or closed): the exchange can be recorded. */
  finish(): void {
    if (this.finished) return
    this.finished = true
    this.done(this.state)
  }
}

function noop(): void {}

function onResClose(this: WithCall<ServerResponse>): void {
  const call = this[CALL] as Call
  if (!this.writableFinished && !call.cut) {
    call.clientGone = true
    call.upReq?.destroy()
    if (this.headersSent) call.note('client_aborted', this.statusCode, 'client disconnected mid-response')
    else call.note('client_aborted', 499, 'client disconnected before the upstream answered')
  }
  call.finish()
}

function onResDrain(this: WithCall<ServerResponse>): void {
  const call = this[CALL] as Call
  if (!call.finished) call.upRes?.resume()
}

function onUpTimeout(this: WithCall<ClientRequest>): void {
  const call = this[CALL] as Call
  if (this === call.upReq) call.timedOut = true
  this.destroy(new Error('upstream timeout'))
}

function onUpError(this: WithCall<ClientRequest>, err: unknown): void {
  const call = this[CALL] as Call
  // After the answer arrived, socket errors surface as the response's early close.
  if (this !== call.upReq || call.upRes !== null) return
  if (call.clientGone) return // recorded by onResClose
  const u = call.upstream as Upstream
  const code = errorCode(err)
  // A kept-alive socket the upstream closed while idle: the request never reached it, so one
  // fresh connection is safe to try (what undici and browsers do too).
  if (!call.retried && !call.timedOut && this.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
    call.retried = true
    call.send(u)
    return
  }
  const why = call.timedOut
    ? `did not respond within ${u.timeoutMs} ms`
    : code === 'ECONNREFUSED'
      ? 'refused the connection'
      : `could not be reached (${code || 'unknown error'})`
  call.fail({ upstream: u, timeout: call.timedOut, why })
  call.next()
}

function onUpResponse(this: WithCall<ClientRequest>, upRes: IncomingMessage): void {
  const call = this[CALL] as Call
  if (this !== call.upReq) {
    upRes.resume()
    return
  }
  if (call.clientGone) {
    this.destroy()
    return
  }
  const status = upRes.statusCode ?? 502
  if (status >= 500 && call.i < call.plan.route.upstreams.length - 1) {
    call.fail({ upstream: call.upstream as Upstream, timeout: false, why: `returned HTTP ${status}` })
    upRes.resume() // drain so the socket goes back to the pool
    call.upReq = null
    call.next()
    return
  }
  call.respond(upRes)
}

function onUpData(this: WithCall<IncomingMessage>, chunk: Buffer): void {
  const call = this[CALL] as Call
  const state = call.state
  if (state) {
    if (state.ttftMs === null) state.ttftMs = performance.now() - state.t0
    capture(state, chunk)
  }
  const out = call.stripper ? call.stripper.push(chunk) : chunk
  const res = call.res
  call.received += chunk.length
  // The bytes that complete a sized answer are sent only after the record is in the spool file.
  if (call.declared >= 0 && call.received >= call.declared) {
    call.held = call.held ? Buffer.concat([call.held, out]) : out
    return
  }
  if (out.length > 0 && !res.writableEnded && !res.write(out)) {
    this.pause()
    if (!call.drainHooked) {
      call.drainHooked = true
      res.on('drain', onResDrain)
    }
  }
}

function onUpEnd(this: WithCall<IncomingMessage>): void {
  const call = this[CALL] as Call
  const res = call.res
  const rest = call.stripper?.flush()
  if (rest && rest.length > 0 && !res.writableEnded) res.write(rest)
  // Recorded (written into the spool file) before the caller can see the end of the answer.
  call.finish()
  if (call.held && !res.writableEnded) res.write(call.held)
  res.end()
}

function onUpClose(this: WithCall<IncomingMessage>): void {
  const call = this[CALL] as Call
  if (this.complete) return
  if (call.clientGone) {
    call.note('client_aborted', call.status, 'client disconnected mid-response')
    return
  }
  const u = call.upstream as Upstream
  const why = call.timedOut ? `went idle for ${u.timeoutMs} ms` : 'closed the connection'
  const cut = call.sse ? 'the stream was ended with what had arrived' : "the caller's connection was reset"
  call.note('stream_error', call.status, `upstream ${u.name} ${why} mid-response; ${cut}`)
  // A cut event stream ends cleanly with what arrived; a cut JSON body must not look complete.
  const res = call.res
  const rest = call.stripper?.flush()
  if (rest && rest.length > 0 && !res.writableEnded) res.write(rest)
  call.finish()
  if (call.sse) res.end()
  else {
    call.cut = true
    res.destroy()
  }
}

/**
 * Sends the call to the route's upstreams in order, falling back on a connect error, a timeout or a
 * 5xx while nothing has reached the caller yet, then streams the answer back chunk by chunk, keeping
 * a bounded copy in `state`. Calls `done` once, when the caller's response is over; never throws.
 */
export function proxy(
  plan: ProxyPlan,
  res: ServerResponse,
  state: ExchangeState | null,
  done: (state: ExchangeState | null) => void,
): void {
  const call = new Call(plan, res, state, done)
  ;(res as WithCall<ServerResponse>)[CALL] = call
  res.on('close', onResClose)
  if (res.destroyed) {
    // The caller left while the request was being read: nothing to send.
    call.clientGone = true
    call.note('client_aborted', 499, 'client disconnected before the upstream answered')
    call.finish()
    return
  }
  call.next()
}
