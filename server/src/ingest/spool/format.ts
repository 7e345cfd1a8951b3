import { crc32 } from 'node:zlib'

/**
 * One spool record on disk: `[u32 LE payload length][u32 LE CRC-32 of the payload][payload]`.
 * The payload is the UTF-8 JSON of an `ExchangeRecord`. Segments are nothing but frames back to back.
 */
export const FRAME_HEADER_BYTES = 8
/** A length above this is treated as corruption, never as a record to allocate for. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024

export function encodeFrame(json: string): Buffer {
  const len = Buffer.byteLength(json)
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + len)
  frame.write(json, FRAME_HEADER_BYTES, 'utf8')
  frame.writeUInt32LE(len, 0)
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4)
  return frame
}

export type FrameCheck =
  | { kind: 'ok'; payloadStart: number; end: number }
  /** Not enough bytes in the buffer for the whole frame (more may follow in the file). */
  | { kind: 'short'; need: number }
  | { kind: 'bad'; reason: string }

/** Checks the frame starting at `at` in `buf`; never throws. */
export function checkFrame(buf: Buffer, at: number): FrameCheck {
  if (buf.length - at < FRAME_HEADER_BYTES) return { kind: 'short', need: FRAME_HEADER_BYTES }
  const len = buf.readUInt32LE(at)
  if (len > MAX_RECORD_BYTES) return { kind: 'bad', reason: `length ${len} is out of range` }
  const end = at + FRAME_HEADER_BYTES + len
  if (end > buf.length) return { kind: 'short', need: FRAME_HEADER_BYTES + len }
  const payloadStart = at + FRAME_HEADER_BYTES
  if (crc32(buf.subarray(payloadStart, end)) !== buf.readUInt32LE(at + 4))
    return { kind: 'bad', reason: 'checksum mismatch' }
  return { kind: 'ok', payloadStart, end }
}
