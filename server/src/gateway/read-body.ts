import type { IncomingMessage } from 'node:http'
import { GatewayError } from './errors.ts'

export const tooLarge = (limit: number) =>
  new GatewayError(
    413,
    `request body exceeds the limit of ${limit} bytes`,
    'invalid_request_error',
    'request_too_large',
  )

export type BodyCallback = (err: GatewayError | null, body: Buffer) => void

const EMPTY = Buffer.alloc(0)
const READER = Symbol('leash.bodyReader')

class Reader {
  chunks: Buffer[] = []
  size = 0
  settled = false
  constructor(
    readonly limit: number,
    readonly cb: BodyCallback,
  ) {}

  settle(err: GatewayError | null, body: Buffer): void {
    if (this.settled) return
    this.settled = true
    this.chunks = []
    this.cb(err, body)
  }
}

type WithReader = IncomingMessage & { [READER]?: Reader }

// Module-level listeners (no closures per request); `this` is the request.
function onData(this: WithReader, chunk: Buffer): void {
  const r = this[READER] as Reader
  if (r.settled) return
  r.size += chunk.length
  if (r.size > r.limit) {
    // Past the limit: stop keeping bytes; the rest is discarded so the caller can read the 413.
    r.settle(tooLarge(r.limit), EMPTY)
    return
  }
  r.chunks.push(chunk)
}

function onEnd(this: WithReader): void {
  const r = this[READER] as Reader
  const c = r.chunks
  r.settle(null, c.length === 1 ? (c[0] as Buffer) : c.length === 0 ? EMPTY : Buffer.concat(c, r.size))
}

function onError(this: WithReader): void {
  ;(this[READER] as Reader).settle(
    new GatewayError(400, 'request body could not be read', 'invalid_request_error'),
    EMPTY,
  )
}

function onClose(this: WithReader): void {
  if (!this.complete)
    (this[READER] as Reader).settle(
      new GatewayError(400, 'request body was cut off', 'invalid_request_error'),
      EMPTY,
    )
}

/**
 * Reads the request body up to `limit` bytes and calls `cb` once. Past the limit it stops keeping
 * bytes and answers 413; the rest is discarded (not stored) so the caller can still read the error on
 * a keep-alive connection.
 */
export function readBody(req: IncomingMessage, limit: number, cb: BodyCallback): void {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    cb(tooLarge(limit), EMPTY)
    return
  }
  ;(req as WithReader)[READER] = new Reader(limit, cb)
  req.on('data', onData)
  req.on('end', onEnd)
  req.on('error', onError)
  req.on('close', onClose)
}
