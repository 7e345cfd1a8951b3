/**
 * Feature hashing: words, word n-grams and character n-grams mapped into a fixed 2^bits space with
 * 32-bit FNV-1a, computed on char codes without allocating substrings (the scoring hot path).
 */

import { FNV_OFFSET, FNV_PRIME, fnv1a32 } from '../../core/hash.ts'

/** FNV-1a over a string, optionally continuing from `seed` (so a namespace can prefix a key). */
export function fnv1a(text: string, seed = FNV_OFFSET): number {
  // core's fnv1a32 starts from offset ^ seed; continuing from a state is the same hash.
  return fnv1a32(text, (seed ^ FNV_OFFSET) >>> 0)
}

/** Combines two hashes order-sensitively (for n-grams of tokens). */
export function mixHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b)
  h ^= b
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** A sparse feature vector: sorted unique indices and their values. */
export interface SparseVector {
  idx: Uint32Array
  val: Float32Array
}

/**
 * Accumulates hashed features into a dense scratch buffer and remembers which slots it touched, so
 * building a vector costs O(features), never O(dimension). Reuse one builder per thread.
 */
export class FeatureBuilder {
  readonly dim: number
  readonly mask: number
  private readonly acc: Float32Array
  private readonly touched: Uint32Array
  private count = 0
  /** Keeps the prefetch loop of `dotMany` from being optimised away (no meaning otherwise). */
  prefetchSink = 0

  constructor(bits: number, maxFeatures = 1 << 16) {
    if (bits < 4 || bits > 26) throw new Error(`feature bits must be in 4..26, got ${bits}`)
    this.dim = 1 << bits
    this.mask = this.dim - 1
    this.acc = new Float32Array(this.dim)
    this.touched = new Uint32Array(maxFeatures)
  }

  /** Adds `value` at the slot of hash `h` (the sign comes from a hash bit, which decorrelates collisions). */
  add(h: number, value = 1): void {
    const i = h & this.mask
    const v = h & 0x80000000 ? -value : value
    if (this.acc[i] === 0) {
      if (this.count >= this.touched.length) return
      this.touched[this.count++] = i
    }
    this.acc[i] = (this.acc[i] as number) + v
    // A slot that cancels back to 0 stays in `touched`; reset() clears it anyway.
  }

  /** Adds a named feature (e.g. a lexicon hit) under a namespace. */
  addNamed(ns: number, name: string, value = 1): void {
    this.add(fnv1a(name, ns), value)
  }

  /** Scales every slot touched since `from` so that their squared sum is `norm`^2 (per-namespace L2). */
  normalizeFrom(from: number, norm = 1): void {
    let ss = 0
    for (let k = from; k < this.count; k++) {
      const v = this.acc[this.touched[k] as number] as number
      ss += v * v
    }
    if (ss === 0) return
    const s = norm / Math.sqrt(ss)
    for (let k = from; k < this.count; k++) {
      const i = this.touched[k] as number
      this.acc[i] = (this.acc[i] as number) * s
    }
  }

  /** Number of slots touched so far (a marker for `normalizeFrom`). */
  get size(): number {
    return this.count
  }

  /** Dot product of the current features with a dense weight vector of length `dim`. */
  dot(weights: Float32Array, offset = 0): number {
    let s = 0
    for (let k = 0; k < this.count; k++) {
      const i = this.touched[k] as number
      s += (this.acc[i] as number) * (weights[offset + i] as number)
    }
    return s
  }

  /**
   * Dot products with `heads` weight vectors stored interleaved (`w[slot * heads + h]`), in one pass:
   * each touched slot reads one contiguous run of weights, which is what makes many heads cheap.
   */
  dotMany(interleaved: Float32Array, heads: number, out: Float64Array): void {
    out.fill(0, 0, heads)
    // The weight rows sit at random places in a large array, so each one is a cache miss. A first, tiny
    // loop touches every row (its loads are independent, so the misses overlap); the main loop then
    // finds the rows in cache. Same arithmetic, same order: the results do not change.
    let touch = 0
    for (let k = 0; k < this.count; k++) {
      const base = (this.touched[k] as number) * heads
      touch += (interleaved[base] as number) + (interleaved[base + heads - 1] as number)
    }
    this.prefetchSink = touch
    for (let k = 0; k < this.count; k++) {
      const i = this.touched[k] as number
      const v = this.acc[i] as number
      const base = i * heads
      for (let h = 0; h < heads; h++) out[h] = (out[h] as number) + v * (interleaved[base + h] as number)
    }
  }

  /** Copies the features out as a sorted sparse vector (training keeps these). */
  toSparse(): SparseVector {
    const slots = Array.from(this.touched.subarray(0, this.count)).sort((a, b) => a - b)
    const idx = new Uint32Array(slots.length)
    const val = new Float32Array(slots.length)
    let n = 0
    for (const i of slots) {
      const v = this.acc[i] as number
      if (v === 0) continue
      idx[n] = i
      val[n] = v
      n++
    }
    return { idx: idx.slice(0, n), val: val.slice(0, n) }
  }

  reset(): void {
    for (let k = 0; k < this.count; k++) this.acc[this.touched[k] as number] = 0
    this.count = 0
  }
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 39 || c > 127
}

/**
 * Hashes the word tokens of (already normalized, lower-case) `text` and returns them; a token is a run
 * of [a-z0-9'] or non-ASCII letters. At most `maxTokens` tokens are read.
 */
export function tokenHashes(text: string, maxTokens = 1024): number[] {
  const out: number[] = []
  let h = FNV_OFFSET
  let inWord = false
  for (let i = 0; i < text.length && out.length < maxTokens; i++) {
    const c = text.charCodeAt(i)
    if (isWordChar(c)) {
      h = Math.imul(h ^ c, FNV_PRIME)
      inWord = true
    } else if (inWord) {
      out.push(h >>> 0)
      h = FNV_OFFSET
      inWord = false
    }
  }
  if (inWord && out.length < maxTokens) out.push(h >>> 0)
  return out
}

/** Interleaves equal-length weight vectors for `FeatureBuilder.dotMany`. */
export function interleave(vectors: readonly Float32Array[]): Float32Array {
  const heads = vectors.length
  const dim = vectors[0]?.length ?? 0
  const out = new Float32Array(dim * heads)
  vectors.forEach((v, h) => {
    if (v.length !== dim) throw new Error('interleave: vectors differ in length')
    for (let i = 0; i < dim; i++) out[i * heads + h] = v[i] as number
  })
  return out
}

/** Adds word n-grams (n = 1..maxN) of pre-hashed tokens under namespace `ns`, tf-weighted by `weight`. */
export function addWordNgrams(
  b: FeatureBuilder,
  tokens: readonly number[],
  ns: number,
  maxN: number,
  weight = 1,
): void {
  for (let i = 0; i < tokens.length; i++) {
    let h = mixHash(ns, tokens[i] as number)
    b.add(h, weight)
    for (let n = 2; n <= maxN && i + n - 1 < tokens.length; n++) {
      h = mixHash(h, tokens[i + n - 1] as number)
      b.add(h, weight)
    }
  }
}

/** Adds character n-grams (n in [minN, maxN]) of `text[0, limit)` under namespace `ns`. */
export function addCharNgrams(
  b: FeatureBuilder,
  text: string,
  ns: number,
  minN: number,
  maxN: number,
  limit = text.length,
  weight = 1,
): void {
  const end = Math.min(limit, text.length)
  for (let i = 0; i < end; i++) {
    let h = (FNV_OFFSET ^ ns) >>> 0
    for (let n = 1; n <= maxN && i + n <= end; n++) {
      h = Math.imul(h ^ text.charCodeAt(i + n - 1), FNV_PRIME)
      if (n >= minN) b.add(h >>> 0, weight)
    }
  }
}
