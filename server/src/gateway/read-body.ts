import type { IncomingMessage } from 'node:http'
import { GatewayError } from './errors.ts'

export const tooLarge = (limit: number) =>
  new GatewayError(
    413,
    `request body exceeds the limit of ${limit} bytes`,
    'invalid_request_error',
    'request_too_large',
  )

/**
 * Reads the request body up to `limit` bytes. Past the limit it stops keeping bytes and rejects with 413;
 * the rest is discarded (not stored) so the caller can still read the error on a keep-alive connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.reject(tooLarge(limit))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.off('data', onData)
        req.resume()
        reject(tooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)))
    req.once('error', () =>
      reject(new GatewayError(400, 'request body could not be read', 'invalid_request_error')),
    )
    req.once('close', () => {
      if (!req.complete) reject(new GatewayError(400, 'request body was cut off', 'invalid_request_error'))
    })
  })
}
