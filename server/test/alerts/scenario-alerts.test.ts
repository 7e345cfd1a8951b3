import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RULES } from '../../src/alerts/defaults.ts'
import {
  openScenarioStores,
  RECOVER,
  replay,
  type ScenarioStores,
  SHIFT,
  WATCHED,
  WINDOW_MIN,
} from '../support/scenario-replay.ts'

/**
 * Proof by scenario (1/3): the unchanged control run and over-refusal, replayed on a simulated clock
 * through real chdb, the real metric query layer and the shipped default rules.
 */
let stores: ScenarioStores
beforeAll(async () => {
  stores = await openScenarioStores()
}, 120_000)
afterAll(async () => {
  await stores?.close()
})

describe('scenario replay (chdb + default rules)', () => {
  it('control: no default rule fires on the unchanged run', async () => {
    const r = await replay(
      stores,
      'control',
      11,
      DEFAULT_RULES.map((d) => d.builtin),
    )
    expect(r.opened, JSON.stringify(r.trace)).toEqual({})
  }, 120_000)

  it('over-refusal: the false-refusal alert fires within a window of the shift, resolves after, nothing else fires', async () => {
    const r = await replay(stores, 'over-refusal', 12, WATCHED)
    const msg = JSON.stringify(r.trace)
    expect(Object.keys(r.opened), msg).toEqual(['false-refusal-rate'])
    expect(r.opened['false-refusal-rate'], msg).toBeGreaterThan(SHIFT)
    expect(r.opened['false-refusal-rate'], msg).toBeLessThanOrEqual(SHIFT + WINDOW_MIN)
    expect(r.resolved['false-refusal-rate'], msg).toBeGreaterThan(RECOVER)
    expect(r.resolved['false-refusal-rate'], msg).toBeLessThanOrEqual(RECOVER + 2 * WINDOW_MIN)
    // Evidence from the real query layer: figures, the slice, and the worst responses (refusals).
    const ev = r.evidence['false-refusal-rate'] as {
      value: number
      threshold: number
      interval: [number, number]
      n: number
      window: string
      slice: { dimension: string } | null
      examples: Array<{ eventId: string; excerpt: string }>
    }
    expect(ev.threshold).toBe(0.05)
    expect(ev.interval[0]).toBeGreaterThan(0.05)
    expect(ev.n).toBeGreaterThan(100)
    expect(ev.window).toBe('15m')
    expect(ev.slice?.dimension).toBe('feature')
    expect(ev.examples).toHaveLength(5)
    for (const e of ev.examples)
      expect(e.excerpt, JSON.stringify(ev.examples)).toMatch(/sorry|can't|decline/i)
  }, 120_000)
})
