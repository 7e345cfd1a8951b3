import type { IncomingMessage, ServerResponse } from 'node:http'
import { type Agent, request } from 'undici'
import { GatewayError, sendError } from './errors.ts'
import { capture, type ExchangeState } from './exchange-state.ts'
import { forwardHeaders, responseHeaders } from './leash-headers.ts'

export interface ProxyTarget {
  agent: Agent
  baseUrl: string
  apiKey: string | undefined
  name: string
  timeoutMs: number
}

function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return ''
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof e.code === 'string') return e.code
  if (Array.isArray(e.errors) && e.errors.length > 0) return errorCode(e.errors[0])
  return e.cause ? errorCode(e.cause) : ''
}

/** Maps a failure before any upstream header arrived to the caller's error. */
export function upstreamFailure(err: unknown, target: ProxyTarget): GatewayError {
  const code = errorCode(err)
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new GatewayError(
      504,
      `upstream ${target.name} did not respond within ${target.timeoutMs} ms`,
      'timeout_error',
      'upstream_timeout',
    )
  }
  const why =
    code === 'ECONNREFUSED' ? 'refused the connection' : `could not be reached (${code || 'unknown error'})`
  return new GatewayError(502, `upstream ${target.name} ${why}`, 'upstream_error', 'upstream_unreachable')
}

/**
 * Sends the call upstream and streams the answer back chunk by chunk, keeping a bounded copy in `state`.
 * Resolves once the caller's response is over (ended, cut or abandoned); never rejects.
 */
export async function proxy(
  target: ProxyTarget,
  req: IncomingMessage,
  res: ServerResponse,
  upstreamPath: string,
  body: Buffer | null,
  state: ExchangeState | null,
): Promise<void> {
  const ac = new AbortController()
  let clientGone = false
  res.once('close', () => {
    if (res.writableFinished) return
    clientGone = true
    ac.abort()
  })
  const note = (outcome: ExchangeState['outcome'], status: number, message: string) => {
    if (!state) return
    state.outcome = outcome
    state.status = status
    state.errorMessage = message
  }

  let up: Awaited<ReturnType<typeof request>>
  try {
    up = await request(target.baseUrl + upstreamPath, {
      method: req.method === 'GET' ? 'GET' : 'POST',
      headers: forwardHeaders(req.headers, target.apiKey),
      body,
      dispatcher: target.agent,
      signal: ac.signal,
      headersTimeout: target.timeoutMs,
      bodyTimeout: target.timeoutMs,
    })
  } catch (err) {
    if (clientGone) return note('client_aborted', 499, 'client disconnected before the upstream answered')
    const failure = upstreamFailure(err, target)
    note('upstream_error', failure.status, failure.message)
    sendError(res, failure, state ? { 'x-leash-event-id': state.eventId } : undefined)
    return
  }
  if (clientGone) {
    up.body.on('error', () => {}).destroy()
    return note('client_aborted', 499, 'client disconnected before the upstream answered')
  }

  const sse = String(up.headers['content-type'] ?? '').includes('text/event-stream')
  const headers = responseHeaders(up.headers)
  if (state) {
    state.sse = sse
    state.status = up.statusCode
    if (up.statusCode >= 400) note('upstream_error', up.statusCode, `upstream returned HTTP ${up.statusCode}`)
    headers['x-leash-event-id'] = state.eventId
  }
  res.writeHead(up.statusCode, headers)
  if (sse) res.flushHeaders()

  const upBody = up.body
  await new Promise<void>((resolve) => {
    let settled = false
    const settle = () => {
      if (settled) return
      settled = true
      res.off('drain', onDrain)
      resolve()
    }
    const onDrain = () => upBody.resume()
    res.on('drain', onDrain)
    upBody.on('data', (chunk: Buffer) => {
      if (state) {
        if (state.ttftMs === null) state.ttftMs = performance.now() - state.t0
        capture(state, chunk)
      }
      if (!res.writableEnded && !res.write(chunk)) upBody.pause()
    })
    upBody.once('end', () => res.end(settle))
    upBody.once('error', (err: unknown) => {
      if (clientGone) {
        note('client_aborted', up.statusCode, 'client disconnected mid-response')
      } else {
        const idle = errorCode(err) === 'UND_ERR_BODY_TIMEOUT'
        const why = idle
          ? `went idle for ${target.timeoutMs} ms`
          : `closed the connection (${errorCode(err) || 'error'})`
        note('stream_error', up.statusCode, `upstream ${target.name} ${why} mid-response`)
        // A cut event stream ends cleanly with what arrived; a cut JSON body must not look complete.
        if (sse) res.end()
        else res.destroy()
      }
      settle()
    })
    upBody.once('close', () => {
      if (res.writableEnded || res.destroyed) settle()
    })
    res.once('close', settle)
  })
}
