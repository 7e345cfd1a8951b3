import { describe, expect, it } from 'vitest'
import { fnv1a32 } from '../../src/core/hash.ts'
import { mulberry32 } from '../../src/core/random.ts'

describe('core', () => {
  it('FNV-1a 32-bit matches the reference vectors', () => {
    // From the FNV reference test suite (draft-eastlake-fnv): "", "a", "foobar".
    expect(fnv1a32('')).toBe(0x811c9dc5)
    expect(fnv1a32('a')).toBe(0xe40c292c)
    expect(fnv1a32('foobar')).toBe(0xbf9cf968)
    expect(fnv1a32('a', 7)).not.toBe(fnv1a32('a'))
  })

  it('mulberry32 is reproducible per seed and uniform in [0, 1)', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const c = mulberry32(43)
    const xs = Array.from({ length: 10_000 }, () => a())
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs)
    expect(c()).not.toBe(xs[0])
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    expect(mean).toBeGreaterThan(0.49)
    expect(mean).toBeLessThan(0.51)
  })
})
