import { describe, expect, it } from 'vitest'
import { fitDense, fitPlatt, minimizeLbfgs, trainLogReg } from '../../lab/optim.ts'
import { FeatureBuilder } from '../../src/scoring/ml/hash.ts'
import { applyPlatt, logRegLogit, sigmoid } from '../../src/scoring/ml/logreg.ts'
import { mulberry32 } from '../../src/scoring/ml/rng.ts'

describe('the lab optimiser', () => {
  it('L-BFGS finds the minimum of the Rosenbrock function from a far start', () => {
    const w = minimizeLbfgs(
      (x, g) => {
        const a = x[0] as number
        const b = x[1] as number
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a)
        g[1] = 200 * (b - a * a)
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2
      },
      Float64Array.from([-1.5, 2]),
      { maxIterations: 500, memory: 7, tolerance: 1e-9 },
    )
    expect(w[0]).toBeCloseTo(1, 5)
    expect(w[1]).toBeCloseTo(1, 5)
  })

  it('L-BFGS solves an L2 logistic regression to the same optimum as full-batch gradient descent', () => {
    const rand = mulberry32(3)
    const xs: number[][] = []
    const ys: boolean[] = []
    for (let i = 0; i < 300; i++) {
      const x = [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1]
      xs.push(x)
      ys.push(rand() < sigmoid(2 * (x[0] as number) - 3 * (x[1] as number) + 0.5))
    }
    const l2 = 1e-2
    const gd = fitDense(xs, ys, l2, 6000, 0.5)
    // The same objective as fitDense: mean log-loss + (l2 / 2)|w|^2 on the weights, bias unpenalised.
    const w = minimizeLbfgs(
      (v, g) => {
        g.fill(0)
        let f = 0
        xs.forEach((x, i) => {
          const z = x.reduce((s, xk, k) => s + xk * (v[k] as number), v[3] as number)
          const p = sigmoid(z)
          f -= ys[i] ? Math.log(p) : Math.log(1 - p)
          const d = p - (ys[i] ? 1 : 0)
          x.forEach((xk, k) => {
            g[k] = (g[k] as number) + (d * xk) / xs.length
          })
          g[3] = (g[3] as number) + d / xs.length
        })
        f /= xs.length
        for (let k = 0; k < 3; k++) {
          f += (l2 / 2) * (v[k] as number) ** 2
          g[k] = (g[k] as number) + l2 * (v[k] as number)
        }
        return f
      },
      new Float64Array(4),
      { maxIterations: 200, memory: 10, tolerance: 1e-10 },
    )
    for (let k = 0; k < 3; k++) expect(w[k]).toBeCloseTo(gd.w[k] as number, 3)
    expect(w[3]).toBeCloseTo(gd.b, 3)
    expect(gd.w[0]).toBeGreaterThan(0.8)
    expect(gd.w[1]).toBeLessThan(-1.2)
  })

  it('Adagrad logistic regression separates a sparse toy task, the same for a seed', () => {
    const fb = new FeatureBuilder(10)
    const rows = ['good great fine', 'bad awful poor', 'great fine', 'poor bad', 'fine good', 'awful bad']
    const xs = rows.map((r) => {
      fb.reset()
      for (const w of r.split(' ')) fb.addNamed(1, w, 1)
      return fb.toSparse()
    })
    const ys = [1, 0, 1, 0, 1, 0]
    const a = trainLogReg(xs, ys, { dim: 1 << 10, epochs: 20, seed: 5 })
    const b = trainLogReg(xs, ys, { dim: 1 << 10, epochs: 20, seed: 5 })
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights))
    xs.forEach((x, i) => {
      expect(logRegLogit(a, x) > 0).toBe(ys[i] === 1)
    })
  })

  it('Platt scaling recovers a known calibration map from its own samples', () => {
    const rand = mulberry32(9)
    const logits: number[] = []
    const ys: number[] = []
    for (let i = 0; i < 4000; i++) {
      const z = rand() * 8 - 4
      logits.push(z)
      ys.push(rand() < sigmoid(0.5 * z - 1) ? 1 : 0)
    }
    const p = fitPlatt(logits, ys)
    expect(p.a).toBeGreaterThan(0.4)
    expect(p.a).toBeLessThan(0.6)
    expect(p.b).toBeGreaterThan(-1.2)
    expect(p.b).toBeLessThan(-0.8)
    expect(applyPlatt(p, 2)).toBeCloseTo(sigmoid(p.a * 2 + p.b), 12)
  })
})
