import fs from 'node:fs'
import path from 'node:path'

/**
 * A weights bundle on disk: `manifest.json` (anything JSON, plus a `tensors` table) and `weights.bin`.
 * Every shipped model uses it. Each weight vector is stored densely (`f32`: little-endian Float32), sparsely
 * (`f32-sparse`: Uint32 indices, then Float32 values; for mostly-empty hashed spaces) or densely quantized
 * (`q8`: one Int8 per slot times `scale`, 4x smaller than Float32, rounding error scale / 2 per weight).
 */
export type TensorEncoding = 'f32' | 'f32-sparse' | 'q8'

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

export interface BundleManifest {
  tensors: TensorEntry[]
}

export const MANIFEST_FILE = 'manifest.json'
export const WEIGHTS_FILE = 'weights.bin'

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
    if (t.encoding === 'f32') {
      if (t.offset + t.dim * 4 > bin.length)
        throw new Error(`weights bundle ${dir}: tensor ${t.name} is truncated`)
      const dense = new Float32Array(t.dim)
      for (let i = 0; i < t.dim; i++) dense[i] = bin.readFloatLE(t.offset + i * 4)
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
