import type { ExchangesPage } from '@leash/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDemoTraffic } from '../../src/cli/demo-traffic.ts'
import { findMetric } from '../../src/metrics/catalog.ts'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

/** The citation-decay demo must give citation_support_rate its minimum sample even with the decay on. */
describe('citation-decay demo traffic', () => {
  let leash: TestLeash
  beforeAll(async () => {
    leash = await startTestLeash({ mode: 'embedded' })
  }, 60_000)
  afterAll(async () => {
    await leash?.stop()
  })

  it('produces enough cited answers for the metric minimum, decayed from the first call', async () => {
    const COUNT = 150
    const run = await runDemoTraffic({
      baseUrl: leash.url,
      apiKey: PROJECT_KEY,
      count: COUNT,
      concurrency: 8,
      seed: 5,
      scenario: 'citation-decay',
      shiftAt: 0,
    })
    expect(run.failed).toBe(0)
    const min = findMetric('citation_support_rate')?.minSamples ?? Number.POSITIVE_INFINITY
    // Scorers run after the answer: wait until grounding has scored every call (each one carries sources).
    const count = async (q: string) =>
      (await api<ExchangesPage>(leash, `/api/exchanges?limit=1&${q}`)).body.total
    await eventually(
      async () => ((await count('score.unsupported_claims=gte:0')) >= run.ok ? true : undefined),
      240_000,
      1_000,
    )
    const cited = await count('score.citation_support=gte:0')
    expect(cited).toBeGreaterThanOrEqual(min)
  }, 400_000)
})
