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
    // Scorers run after the answer; wait until citation support has been scored on enough answers.
    const cited = await eventually(
      async () => {
        const r = await api<ExchangesPage>(leash, '/api/exchanges?limit=1&score.citation_support=gte:0')
        return r.status === 200 && r.body.total >= min ? r.body.total : undefined
      },
      150_000,
      1_000,
    ).catch(async () => {
      const r = await api<ExchangesPage>(leash, '/api/exchanges?limit=1&score.citation_support=gte:0')
      return r.body.total
    })
    expect(cited).toBeGreaterThanOrEqual(min)
  }, 300_000)
})
