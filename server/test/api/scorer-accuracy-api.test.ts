import fs from 'node:fs'
import path from 'node:path'
import { ScorerAccuracyResponse } from '@leash/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CATALOG } from '../../src/metrics/catalog.ts'
import { api, startTestLeash, type TestLeash } from '../support/leash.ts'

const CARD = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, '../../models/card.json'), 'utf8'),
) as { commit: string; scorers: Record<string, { barMet: boolean | null; summary: string }> }

let leash: TestLeash

beforeAll(async () => {
  leash = await startTestLeash({ mode: 'embedded' })
}, 90_000)

afterAll(async () => {
  await leash?.stop()
})

describe('GET /api/scorers/accuracy', () => {
  it('says, per catalog metric, whether its scorers meet their accuracy bars (from the shipped card)', async () => {
    const { status, body } = await api<unknown>(leash, '/api/scorers/accuracy')
    expect(status).toBe(200)
    const parsed = ScorerAccuracyResponse.parse(body)
    expect(parsed.available).toBe(true)
    expect(parsed.commit).toBe(CARD.commit)
    const names = new Set(CATALOG.map((m) => m.name))
    for (const item of parsed.items) {
      expect(names.has(item.metric)).toBe(true)
      expect(item.barMet).toBe(CARD.scorers[item.score]?.barMet)
      expect(item.summary).toBe(CARD.scorers[item.score]?.summary)
      expect(item.misses.length > 0).toBe(item.barMet === false)
    }
    const of = (metric: string) => parsed.items.filter((i) => i.metric === metric)
    expect(of('citation_support_rate').map((i) => i.score)).toEqual(['citation_support'])
    expect(of('false_refusal_rate').map((i) => i.score)).toEqual(['false_refusal'])
    expect(of('reward_mean').map((i) => i.score)).toEqual(['reward'])
    expect(
      of('goodhart_gap')
        .map((i) => i.score)
        .sort(),
    ).toEqual(['citation_support', 'reward'])
    // Metrics that are not model scores (counts, latency, cost) carry no accuracy status.
    expect(of('requests')).toEqual([])
    expect(of('latency_p95')).toEqual([])
    // The card itself has scores below their bar; each of them appears with its figure.
    const misses = Object.entries(CARD.scorers).filter(([, s]) => s.barMet === false)
    expect(misses.length).toBeGreaterThan(0)
    for (const [score] of misses) {
      const item = parsed.items.find((i) => i.score === score)
      if (!item) continue
      expect(item.misses[0]?.dataset.length).toBeGreaterThan(0)
      expect(Number.isFinite(item.misses[0]?.value)).toBe(true)
    }
  })

  it('needs a login', async () => {
    const res = await fetch(`${leash.url}/api/scorers/accuracy`)
    expect(res.status).toBe(401)
  })
})
