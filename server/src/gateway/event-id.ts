import { randomFillSync } from 'node:crypto'

const POOL_IDS = 256
const pool = Buffer.allocUnsafe(16 * POOL_IDS)
let poolOffset = pool.length
let lastMs = -1
let seq = 0

/**
 * UUID v7 (RFC 9562): 48-bit ms timestamp, 12-bit sequence, 62 random bits. The sequence counts up
 * within one millisecond so ids made by one process sort in creation order.
 */
export function newEventId(now: number = Date.now()): string {
  if (poolOffset >= pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const b = Buffer.from(pool.subarray(poolOffset, poolOffset + 16))
  poolOffset += 16
  if (now > lastMs) {
    lastMs = now
    seq = ((b[6] ?? 0) << 4) & 0x7ff // random start, top bit clear leaves room to count up
  } else {
    seq = (seq + 1) & 0xfff
  }
  b.writeUIntBE(lastMs, 0, 6)
  b[6] = 0x70 | (seq >> 8)
  b[7] = seq & 0xff
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f)
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
