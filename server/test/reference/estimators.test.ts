import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../src/core/random.ts'
import {
  bootstrap,
  mean,
  quantile,
  responseKl,
  signTest,
  trimmedMean,
} from '../../src/reference/estimators.ts'
import { sampled } from '../../src/reference/runner.ts'

describe('KL estimators', () => {
  it('k1 and k3 of one response, per token and the token that moved most', () => {
    const p = [Math.log(0.5), Math.log(0.25), Math.log(0.9)]
    const q = [Math.log(0.5), Math.log(0.05), Math.log(0.6)]
    const kl = responseKl(p, q)
    const d = q.map((x, i) => x - (p[i] as number))
    expect(kl.k1).toBeCloseTo(-d.reduce((a, b) => a + b, 0), 12)
    expect(kl.k3).toBeCloseTo(
      d.reduce((a, x) => a + Math.exp(x) - 1 - x, 0),
      12,
    )
    expect(kl.maxIndex).toBe(1)
    expect(kl.k3PerToken).toBeCloseTo(kl.k3 / 3, 12)
    expect(responseKl([-1, -2], [-1, -2])).toMatchObject({ k1: 0, k3: 0 })
    expect(() => responseKl([-1], [-1, -2])).toThrow(/length/)
  })

  it('k1 and k3 are unbiased for KL(p || q) of a known categorical pair', () => {
    const pr = [0.6, 0.3, 0.1]
    const qr = [0.3, 0.3, 0.4]
    const truth = pr.reduce((s, x, i) => s + x * Math.log(x / (qr[i] as number)), 0)
    const rng = mulberry32(5)
    const k1: number[] = []
    const k3: number[] = []
    for (let n = 0; n < 20_000; n++) {
      let u = rng()
      let i = 0
      while (u >= (pr[i] as number)) u -= pr[i++] as number
      const r = responseKl([Math.log(pr[i] as number)], [Math.log(qr[i] as number)])
      k1.push(r.k1)
      k3.push(r.k3)
    }
    expect(Math.abs(mean(k1) - truth) / truth).toBeLessThan(0.05)
    expect(Math.abs(mean(k3) - truth) / truth).toBeLessThan(0.05)
    expect(Math.min(...k3)).toBeGreaterThanOrEqual(0)
  })

  it('bootstrap intervals cover the mean of a known distribution, trimmed mean and quantile behave', () => {
    // Coverage over many replications of uniform(0, 2) samples (mean 1): near the nominal 95%.
    const rng = mulberry32(9)
    let covered = 0
    const reps = 200
    for (let r = 0; r < reps; r++) {
      const xs = Array.from({ length: 100 }, () => rng() * 2)
      const e = bootstrap(xs, mean, { resamples: 300, seed: r })
      if (e.lo <= 1 && e.hi >= 1) covered++
      expect(e.hi - e.lo).toBeLessThan(0.5)
    }
    expect(covered / reps).toBeGreaterThan(0.88)
    expect(covered / reps).toBeLessThan(0.99)
    expect(trimmedMean([0, 1, 1, 1, 1, 1, 1, 1, 1, 100])).toBe(1)
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3)
    expect(bootstrap([2], mean)).toEqual({ value: 2, lo: 2, hi: 2 })
  })

  it('the sign test is exact', () => {
    // 9 of 10 positive: P(X <= 1) = 11/1024, two-sided 22/1024.
    expect(signTest([1, 1, 1, 1, 1, 1, 1, 1, 1, -1, 0]).p).toBeCloseTo(22 / 1024, 12)
    expect(signTest([0, 0]).p).toBe(1)
    expect(signTest([1, -1]).p).toBe(1)
  })
})

describe('sampling', () => {
  const cfg = {
    baseUrl: 'http://x/v1',
    model: 'ref',
    mode: 'logprobs' as const,
    sampleRate: 0.1,
    routes: { hot: { sampleRate: 0.5 } },
    models: [],
    maxPerMinute: 60,
    maxUsdPerDay: 5,
    timeoutMs: 1000,
  }
  it('is a deterministic hash of the event id at the route rate', () => {
    const ids = Array.from(
      { length: 5000 },
      (_, i) => `0190${i.toString(16).padStart(8, '0')}-aaaa-7bbb-8ccc-${i}`,
    )
    const rate = (route: string) =>
      ids.filter((eventId) => sampled(cfg, { eventId, route, model: 'm' })).length / ids.length
    expect(rate('default')).toBeGreaterThan(0.08)
    expect(rate('default')).toBeLessThan(0.12)
    expect(rate('hot')).toBeGreaterThan(0.46)
    expect(rate('hot')).toBeLessThan(0.54)
    expect(sampled(cfg, { eventId: ids[3] as string, route: 'hot', model: 'm' })).toBe(
      sampled(cfg, { eventId: ids[3] as string, route: 'hot', model: 'm' }),
    )
    expect(
      sampled({ ...cfg, models: ['other'] }, { eventId: ids[0] as string, route: 'hot', model: 'm' }),
    ).toBe(false)
  })
})
