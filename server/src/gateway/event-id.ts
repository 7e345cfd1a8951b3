import { randomFillSync } from 'node:crypto'

const POOL_IDS = 256
const pool = Buffer.allocUnsafe(16 * POOL_IDS)
let poolOffset = pool.length
let lastMs = -1
let seq = 0

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * UUID v7 (RFC 9562): 48-bit ms timestamp, 12-bit sequence, 62 random bits. The sequence counts up
 * within one millisecond so ids made by one process sort in creation order. Built straight from the
 * random pool (no Buffer per id).
 */
export function newEventId(now: number = Date.now()): string {
  if (poolOffset >= pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const o = poolOffset
  poolOffset += 16
  if (now > lastMs) {
    lastMs = now
    seq = ((pool[o + 6] as number) << 4) & 0x7ff // random start, top bit clear leaves room to count up
  } else {
    seq = (seq + 1) & 0xfff
  }
  const hi = Math.floor(lastMs / 0x10000) // top 32 of the 48 timestamp bits
  const lo = lastMs % 0x10000
  return (
    HEX[(hi >>> 24) & 0xff] +
    (HEX[(hi >>> 16) & 0xff] as string) +
    HEX[(hi >>> 8) & 0xff] +
    HEX[hi & 0xff] +
    '-' +
    HEX[lo >>> 8] +
    HEX[lo & 0xff] +
    '-' +
    HEX[0x70 | (seq >> 8)] +
    HEX[seq & 0xff] +
    '-' +
    HEX[0x80 | ((pool[o + 8] as number) & 0x3f)] +
    HEX[pool[o + 9] as number] +
    '-' +
    HEX[pool[o + 10] as number] +
    HEX[pool[o + 11] as number] +
    HEX[pool[o + 12] as number] +
    HEX[pool[o + 13] as number] +
    HEX[pool[o + 14] as number] +
    HEX[pool[o + 15] as number]
  )
}
