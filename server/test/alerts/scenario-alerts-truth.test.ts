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

/** Proof by scenario (2/3): verbosity-hack and citation-decay through real chdb and the default rules. */
let stores: ScenarioStores
beforeAll(async () => {
  stores = await openScenarioStores()
}, 120_000)
afterAll(async () => {
  await stores?.close()
})

describe('scenario replay (chdb + default rules)', () => {
  it('verbosity-hack: answer length fires and resolves; reward-length correlation fires', async () => {
    const r = await replay(stores, 'verbosity-hack', 13, [
      ...WATCHED,
      'completion-length-change',
      'reward-length-correlation',
    ])
    const msg = JSON.stringify(r.trace)
    // Longer answers also cost output tokens and generation time, so cost and latency rules may fire too;
    // safety and truth rules must not.
    expect(Object.keys(r.opened), msg).toEqual(
      expect.arrayContaining(['completion-length-change', 'reward-length-correlation']),
    )
    expect(Object.keys(r.opened), msg).not.toContain('false-refusal-rate')
    expect(Object.keys(r.opened), msg).not.toContain('citation-support-drop')
    expect(r.opened['completion-length-change'], msg).toBeGreaterThan(SHIFT)
    expect(r.opened['completion-length-change'], msg).toBeLessThanOrEqual(SHIFT + WINDOW_MIN)
    expect(r.resolved['completion-length-change'], msg).toBeGreaterThan(RECOVER)
    expect(r.resolved['completion-length-change'], msg).toBeLessThanOrEqual(RECOVER + 2 * WINDOW_MIN)
    // A one-hour window: it fires within two 15-minute windows and keeps firing until the hour clears.
    expect(r.opened['reward-length-correlation'], msg).toBeGreaterThan(SHIFT)
    expect(r.opened['reward-length-correlation'], msg).toBeLessThanOrEqual(SHIFT + 2 * WINDOW_MIN)
  }, 120_000)

  it('citation-decay: the citation-support alert fires within a window, resolves after, nothing else fires', async () => {
    const r = await replay(stores, 'citation-decay', 21, WATCHED)
    const msg = JSON.stringify(r.trace)
    expect(Object.keys(r.opened), msg).toEqual(['citation-support-drop'])
    expect(r.opened['citation-support-drop'], msg).toBeGreaterThan(SHIFT)
    expect(r.opened['citation-support-drop'], msg).toBeLessThanOrEqual(SHIFT + WINDOW_MIN)
    expect(r.resolved['citation-support-drop'], msg).toBeGreaterThan(RECOVER)
    expect(r.resolved['citation-support-drop'], msg).toBeLessThanOrEqual(RECOVER + 2 * WINDOW_MIN)
  }, 120_000)

  it('on a fresh install (no last week) verbosity-hack and citation-decay still fire, against the previous hours', async () => {
    const verbose = await replay(stores, 'verbosity-hack', 17, ['completion-length-change'], [], {
      weekBefore: false,
    })
    const vmsg = JSON.stringify(verbose.trace)
    expect(verbose.opened['completion-length-change'], vmsg).toBeGreaterThan(SHIFT)
    expect(verbose.opened['completion-length-change'], vmsg).toBeLessThanOrEqual(SHIFT + WINDOW_MIN)
    const base = verbose.evidence['completion-length-change']?.baseline as { label?: string } | undefined
    expect(base?.label).toBe('previous 6 h (no week of history yet)')
    const cite = await replay(stores, 'citation-decay', 23, ['citation-support-drop'], [], {
      weekBefore: false,
    })
    const cmsg = JSON.stringify(cite.trace)
    expect(cite.opened['citation-support-drop'], cmsg).toBeGreaterThan(SHIFT)
    expect(cite.opened['citation-support-drop'], cmsg).toBeLessThanOrEqual(SHIFT + WINDOW_MIN)
  }, 180_000)
})
