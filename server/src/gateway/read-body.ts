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

/** A body past the limit is read and discarded up to this many bytes, so the caller can read its 413. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024

class Reader {
  chunks: Buffer[] = []
  size = 0
  settled = false
  /** Past the limit: the rest is discarded and the 413 is answered once the caller has sent it all. */
  over = false
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
  if (r.over && r.size <= r.limit) return
  if (r.size > r.limit) {
    // Answering while the caller is still sending would reset its socket (EPIPE instead of a 413).
    r.over = true
    r.chunks = []
    if (r.size > r.limit + DISCARD_MAX_BYTES) r.settle(tooLarge(r.limit), EMPTY)
    return
  }
  r.chunks.push(chunk)
}

function onEnd(this: WithReader): void {
  const r = this[READER] as Reader
  if (r.over) {
    r.settle(tooLarge(r.limit), EMPTY)
    return
  }
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
  const reader = new Reader(limit, cb)
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) reader.over = true
  ;(req as WithReader)[READER] = reader
  req.on('data', onData)
  req.on('end', onEnd)
  req.on('error', onError)
  req.on('close', onClose)
}
