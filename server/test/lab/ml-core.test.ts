import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  accuracy,
  addCharNgrams,
  addWordNgrams,
  applyPlatt,
  FeatureBuilder,
  fitPlatt,
  fnv1a,
  logRegLogit,
  macroF1,
  mulberry32,
  normalizeText,
  precisionRecallF1,
  readBundle,
  rocAuc,
  type SparseVector,
  tokenHashes,
  trainLogReg,
  wilson,
  writeBundle,
} from '../../lab/ml.ts'

function vec(text: string, bits = 12): SparseVector {
  const b = new FeatureBuilder(bits)
  const norm = normalizeText(text)
  addWordNgrams(b, tokenHashes(norm), 1, 2)
  addCharNgrams(b, norm, 2, 3, 4)
  b.normalizeFrom(0)
  return b.toSparse()
}

// A small text task: is the sentence about cooking or about cars? Built with a seeded generator.
function toyData(seed: number, n: number): { xs: SparseVector[]; ys: number[] } {
  const rand = mulberry32(seed)
  const cook = ['bake', 'simmer', 'recipe', 'oven', 'flour', 'sauce', 'garlic', 'whisk']
  const cars = ['engine', 'brake', 'tyre', 'gearbox', 'clutch', 'exhaust', 'diesel', 'mileage']
  const filler = ['the', 'a', 'my', 'with', 'today', 'really', 'some', 'new']
  const pick = (xs: string[]) => xs[Math.floor(rand() * xs.length)] as string
  const xs: SparseVector[] = []
  const ys: number[] = []
  for (let i = 0; i < n; i++) {
    const y = rand() < 0.5 ? 1 : 0
    const words = Array.from({ length: 6 }, () => (rand() < 0.4 ? pick(y ? cook : cars) : pick(filler)))
    xs.push(vec(words.join(' ')))
    ys.push(y)
  }
  return { xs, ys }
}

describe('ml core', () => {
  it('hashes deterministically and folds case, quotes and digits', () => {
    expect(fnv1a('hello')).toBe(fnv1a('hello'))
    expect(fnv1a('hello')).not.toBe(fnv1a('hellO'))
    expect(normalizeText('It\u2019s   PORT 8080\n\n\nok')).toBe("it's port 0000\nok")
    expect(tokenHashes('kill the process')).toEqual([fnv1a('kill'), fnv1a('the'), fnv1a('process')])
  })

  it('builds normalized sparse vectors and resets cleanly', () => {
    const b = new FeatureBuilder(10)
    addWordNgrams(b, tokenHashes('a b c a b c'), 7, 2)
    b.normalizeFrom(0)
    const v = b.toSparse()
    const norm = Math.sqrt(Array.from(v.val).reduce((s, x) => s + x * x, 0))
    expect(norm).toBeCloseTo(1, 5)
    expect([...v.idx]).toEqual([...v.idx].sort((x, y) => x - y))
    b.reset()
    expect(b.size).toBe(0)
    expect(b.toSparse().idx.length).toBe(0)
  })

  it('trains logistic regression deterministically and generalizes on a toy task', () => {
    const train = toyData(1, 400)
    const test = toyData(2, 200)
    const a = trainLogReg(train.xs, train.ys, { dim: 1 << 12, seed: 7, epochs: 5 })
    const b = trainLogReg(train.xs, train.ys, { dim: 1 << 12, seed: 7, epochs: 5 })
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true)
    expect(a.bias).toBe(b.bias)
    const pred = test.xs.map((x) => logRegLogit(a, x) > 0)
    const acc = accuracy(
      pred,
      test.ys.map((y) => y === 1),
    )
    // Sentences with no topic word are coin flips, so perfect accuracy is impossible; far above chance is not.
    expect(acc).toBeGreaterThan(0.8)
    const platt = fitPlatt(
      test.xs.map((x) => logRegLogit(a, x)),
      test.ys,
    )
    const probs = test.xs.map((x) => applyPlatt(platt, logRegLogit(a, x)))
    const meanP = probs.reduce((s, p) => s + p, 0) / probs.length
    const base = test.ys.reduce((s, y) => s + y, 0) / test.ys.length
    expect(Math.abs(meanP - base)).toBeLessThan(0.05)
  })

  it('computes metrics by their definitions', () => {
    const gold = [true, true, false, false, true]
    const pred = [true, false, false, true, true]
    const m = precisionRecallF1(pred, gold)
    expect(m.precision).toBeCloseTo(2 / 3)
    expect(m.recall).toBeCloseTo(2 / 3)
    expect(m.f1).toBeCloseTo(2 / 3)
    expect(rocAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1)
    expect(rocAuc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0)
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5)
    expect(Number.isNaN(rocAuc([1, 2], [true, true]))).toBe(true)
    expect(macroF1(['a', 'b', 'a'], ['a', 'b', 'b'], ['a', 'b'])).toBeCloseTo((2 / 3 + 2 / 3) / 2)
    const w = wilson(30, 100)
    expect(w.lo).toBeLessThan(0.3)
    expect(w.hi).toBeGreaterThan(0.3)
    expect(wilson(0, 10).lo).toBe(0)
  })

  it('round-trips a weights bundle in both encodings', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-bundle-'))
    try {
      const w = new Float32Array(1024)
      const rand = mulberry32(3)
      for (let i = 0; i < w.length; i += 3) w[i] = rand() * 4 - 2
      writeBundle(dir, { version: 'x' }, [{ name: 'w', weights: w }])
      const sparse = readBundle<{ version: string }>(dir)
      expect(sparse.manifest.version).toBe('x')
      expect(Array.from(sparse.tensors.get('w') ?? [])).toEqual(Array.from(w))
      writeBundle(dir, { version: 'y' }, [{ name: 'w', weights: w }], { encoding: 'q8' })
      const q = readBundle<{ version: string }>(dir).tensors.get('w') ?? new Float32Array(0)
      const step = 2 / 127
      for (let i = 0; i < w.length; i++)
        expect(Math.abs((q[i] as number) - (w[i] as number))).toBeLessThanOrEqual(step)
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(10))
      expect(() => readBundle(dir)).toThrow(/truncated/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
