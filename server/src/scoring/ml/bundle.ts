import fs from 'node:fs'
import path from 'node:path'

/**
 * A weights bundle on disk: `manifest.json` (anything JSON, plus a `tensors` table) and `weights.bin`.
 * Each weight vector is stored either sparsely (`f32-sparse`: little-endian Uint32 indices, then Float32
 * values; for mostly-empty hashed spaces) or densely quantized (`q8`: one Int8 per slot times `scale`,
 * 4x smaller than Float32; for well-filled spaces, at a rounding error of scale / 2 per weight).
 */
export type TensorEncoding = 'f32-sparse' | 'q8'

export interface TensorEntry {
  name: string
  encoding?: TensorEncoding
  /** Length of the dense vector. */
  dim: number
  /** f32-sparse: number of stored (non-zero) entries. */
  nnz: number
  /** q8: value of one quantization step. */
  scale?: number
  /** Byte offset in weights.bin (f32-sparse: indices, then values at offset + 4 * nnz). */
  offset: number
}

function encodeSparse(weights: Float32Array, prune: number): { buf: Buffer; nnz: number } {
  const keep: number[] = []
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number
    if (w !== 0 && Math.abs(w) >= prune) keep.push(i)
  }
  const buf = Buffer.alloc(keep.length * 8)
  keep.forEach((i, k) => {
    buf.writeUInt32LE(i, k * 4)
    buf.writeFloatLE(weights[i] as number, keep.length * 4 + k * 4)
  })
  return { buf, nnz: keep.length }
}

function encodeQ8(weights: Float32Array): { buf: Buffer; scale: number; nnz: number } {
  let max = 0
  for (const w of weights) max = Math.max(max, Math.abs(w))
  const scale = max > 0 ? max / 127 : 1
  const buf = Buffer.alloc(weights.length)
  let nnz = 0
  for (let i = 0; i < weights.length; i++) {
    const q = Math.round((weights[i] as number) / scale)
    if (q !== 0) nnz++
    buf.writeInt8(q, i)
  }
  return { buf, scale, nnz }
}

export interface BundleManifest {
  tensors: TensorEntry[]
}

export const MANIFEST_FILE = 'manifest.json'
export const WEIGHTS_FILE = 'weights.bin'

/**
 * Writes the bundle. `f32-sparse` drops weights with |w| < `prune` (0 keeps every non-zero weight).
 */
export function writeBundle<M extends object>(
  dir: string,
  manifest: M,
  tensors: ReadonlyArray<{ name: string; weights: Float32Array }>,
  opts: { encoding?: TensorEncoding; prune?: number } = {},
): M & BundleManifest {
  const encoding = opts.encoding ?? 'f32-sparse'
  const entries: TensorEntry[] = []
  const parts: Buffer[] = []
  let offset = 0
  for (const t of tensors) {
    if (encoding === 'q8') {
      const { buf, scale, nnz } = encodeQ8(t.weights)
      entries.push({ name: t.name, encoding, dim: t.weights.length, nnz, scale, offset })
      parts.push(buf)
      offset += buf.length
    } else {
      const { buf, nnz } = encodeSparse(t.weights, opts.prune ?? 0)
      entries.push({ name: t.name, encoding, dim: t.weights.length, nnz, offset })
      parts.push(buf)
      offset += buf.length
    }
  }
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, WEIGHTS_FILE), Buffer.concat(parts))
  const full = { ...manifest, tensors: entries }
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(full, null, 2)}\n`)
  return full
}

/** Reads a bundle back into dense Float32 vectors by name. Throws a clear error when it is unusable. */
export function readBundle<M extends object>(
  dir: string,
): { manifest: M & BundleManifest; tensors: Map<string, Float32Array> } {
  let manifest: M & BundleManifest
  let bin: Buffer
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as M & BundleManifest
    bin = fs.readFileSync(path.join(dir, WEIGHTS_FILE))
  } catch (err) {
    throw new Error(`cannot read weights bundle in ${dir}: ${(err as Error).message}`)
  }
  if (!Array.isArray(manifest.tensors))
    throw new Error(`weights bundle ${dir}: manifest has no tensors table`)
  const tensors = new Map<string, Float32Array>()
  for (const t of manifest.tensors) {
    if (t.encoding === 'q8') {
      if (t.offset + t.dim > bin.length)
        throw new Error(`weights bundle ${dir}: tensor ${t.name} is truncated`)
      const scale = t.scale ?? 1
      const dense = new Float32Array(t.dim)
      const q = new Int8Array(bin.buffer, bin.byteOffset + t.offset, t.dim)
      for (let i = 0; i < t.dim; i++) dense[i] = (q[i] as number) * scale
      tensors.set(t.name, dense)
      continue
    }
    if (t.offset + t.nnz * 8 > bin.length)
      throw new Error(`weights bundle ${dir}: tensor ${t.name} is truncated`)
    const dense = new Float32Array(t.dim)
    for (let k = 0; k < t.nnz; k++) {
      const i = bin.readUInt32LE(t.offset + k * 4)
      if (i >= t.dim) throw new Error(`weights bundle ${dir}: tensor ${t.name} index out of range`)
      dense[i] = bin.readFloatLE(t.offset + t.nnz * 4 + k * 4)
    }
    tensors.set(t.name, dense)
  }
  return { manifest, tensors }
}
