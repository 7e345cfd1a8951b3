import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  openScenarioStores,
  RECOVER,
  replay,
  type ScenarioStores,
  SHIFT,
  WATCHED,
  WINDOW_MIN,
} from '../support/scenario-replay.ts'

/** Proof by scenario (3/3): cost-spike and latency-regression through real chdb and the default rules. */
let stores: ScenarioStores
beforeAll(async () => {
  stores = await openScenarioStores()
}, 120_000)
afterAll(async () => {
  await stores?.close()
})

describe.each([
  ['cost-spike', 'cost-per-request-change', 22],
  ['latency-regression', 'latency-p95-change', 23],
] as const)('scenario %s', (scenario, rule, seed) => {
  it(`${rule} fires within one window of the shift, resolves after recovery, nothing else fires`, async () => {
    const r = await replay(stores, scenario, seed, WATCHED)
    const msg = JSON.stringify(r.trace)
    expect(Object.keys(r.opened), msg).toEqual([rule])
    expect(r.opened[rule], msg).toBeGreaterThan(SHIFT)
    expect(r.opened[rule], msg).toBeLessThanOrEqual(SHIFT + WINDOW_MIN)
    expect(r.resolved[rule], msg).toBeGreaterThan(RECOVER)
    expect(r.resolved[rule], msg).toBeLessThanOrEqual(RECOVER + 2 * WINDOW_MIN)
  }, 120_000)
})

describe('a drift rule on the real drift statistics', () => {
  it('latency-regression: a KS drift rule on latency fires within a window of the shift; control stays quiet', async () => {
    const ks = {
      name: 'latency-ks',
      spec: {
        kind: 'drift',
        metric: 'latency_p95',
        statistic: 'ks',
        value: 0.2,
        baseline: { type: 'week_before' },
      },
      window: '15m',
      interval: '1m',
      for: 2,
    } as const
    const r = await replay(stores, 'latency-regression', 31, [], [ks])
    const msg = JSON.stringify(r.trace)
    expect(r.opened['latency-ks'], msg).toBeGreaterThan(SHIFT)
    expect(r.opened['latency-ks'], msg).toBeLessThanOrEqual(SHIFT + WINDOW_MIN)
    expect(r.resolved['latency-ks'], msg).toBeGreaterThan(RECOVER)
    const control = await replay(stores, 'control', 32, [], [ks])
    expect(control.opened, JSON.stringify(control.trace)).toEqual({})
  }, 120_000)
})
