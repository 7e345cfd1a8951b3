import { describe, expect, it } from 'vitest'
import { wilson } from '../../src/stats/intervals.ts'
import { normalCdf, normalQuantile, Z95 } from '../../src/stats/normal.ts'

// Reference values from scipy 1.17 (stats.norm.ppf; statsmodels proportion_confint method='wilson').
describe('stats', () => {
  it('Wilson interval', () => {
    const w = wilson(5, 10)
    expect(w.value).toBe(0.5)
    expect(w.lo).toBeCloseTo(0.2365931, 6)
    expect(w.hi).toBeCloseTo(0.7634069, 6)
    expect(wilson(0, 0)).toEqual({ value: null, lo: null, hi: null })
    expect(wilson(0, 20).lo).toBe(0)
  })

  it('normal quantile inverts the CDF', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(Z95, 8)
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12)
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8)
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874, 8)
    for (const p of [1e-9, 0.01, 0.3, 0.7, 0.999999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 7)
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY)
    expect(Number.isNaN(normalQuantile(1.5))).toBe(true)
  })
})
