import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-leash-signature'
export const TIMESTAMP_HEADER = 'x-leash-timestamp'

/**
 * HMAC-SHA256 over `<timestamp>.<raw body>`: binding the timestamp into the signature lets a receiver
 * reject replays (e.g. anything older than 5 minutes) without trusting an unsigned header.
 */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** Receiver-side check, also used by the tests: signature matches and the timestamp is fresh. */
export function verifySignature(opts: {
  secret: string
  timestamp: string | undefined
  signature: string | undefined
  body: string
  nowMs?: number
  toleranceMs?: number
}): boolean {
  if (!opts.timestamp || !opts.signature) return false
  const ts = Number(opts.timestamp)
  const now = opts.nowMs ?? Date.now()
  if (!Number.isFinite(ts) || Math.abs(now - ts * 1000) > (opts.toleranceMs ?? 300_000)) return false
  const want = Buffer.from(signBody(opts.secret, opts.timestamp, opts.body))
  const got = Buffer.from(opts.signature)
  return want.length === got.length && timingSafeEqual(want, got)
}
