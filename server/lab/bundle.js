import fs from 'node:fs'
import path from 'node:path'
import { MANIFEST_FILE, WEIGHTS_FILE } from '../src/scoring/ml/bundle.js'

function encodeSparse(weights, prune) {
  const keep = []
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]
    if (w !== 0 && Math.abs(w) >= prune) keep.push(i)
  }
  const buf = Buffer.alloc(keep.length * 8)
  keep.forEach((i, k) => {
    buf.writeUInt32LE(i, k * 4)
    buf.writeFloatLE(weights[i], keep.length * 4 + k * 4)
  })
  return { buf, nnz: keep.length }
}
function encodeQ8(weights) {
  let max = 0
  for (const w of weights) max = Math.max(max, Math.abs(w))
  const scale = max > 0 ? max / 127 : 1
  const buf = Buffer.alloc(weights.length)
  let nnz = 0
  for (let i = 0; i < weights.length; i++) {
    const q = Math.round(weights[i] / scale)
    if (q !== 0) nnz++
    buf.writeInt8(q, i)
  }
  return { buf, scale, nnz }
}
/**
 * Writes the bundle. `f32-sparse` drops weights with |w| < `prune` (0 keeps every non-zero weight).
 */
export function writeBundle(dir, manifest, tensors, opts = {}) {
  const entries = []
  const parts = []
  let offset = 0
  for (const t of tensors) {
    const encoding = t.encoding ?? opts.encoding ?? 'f32-sparse'
    if (encoding === 'f32') {
      const buf = Buffer.alloc(t.weights.length * 4)
      for (let i = 0; i < t.weights.length; i++) buf.writeFloatLE(t.weights[i], i * 4)
      entries.push({ name: t.name, encoding, dim: t.weights.length, nnz: t.weights.length, offset })
      parts.push(buf)
      offset += buf.length
    } else if (encoding === 'q8') {
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
