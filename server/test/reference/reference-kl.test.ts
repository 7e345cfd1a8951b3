import type { LeashView } from '@leash/shared'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryMetricWindow } from '../../src/metrics/query.ts'
import { api, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { type MarkovModel, startMarkovModel, trueSequenceKl } from '../support/markov-model.ts'

/**
 * Issue 19's proof: a policy and a reference whose next-token distributions are known, so the true
 * KL(policy || reference) of each response is computable in closed form. Traffic goes through a running
 * Leash with the official client; the reference comparison runs after recording; the estimate is read
 * back from the API (the Leash panel) and the metric catalog.
 */
const PROMPTS = ['ab', 'cd', 'ba', 'dc', 'aa', 'bcd']
const LENGTH = 12
const N = Number(process.env.REF_N ?? 240)
const BETA_BEFORE = 0.6
const BETA_AFTER = 1.4

function truth(beta: number, n: number): number {
  let s = 0
  for (let i = 0; i < n; i++)
    s += trueSequenceKl((PROMPTS[i % PROMPTS.length] as string).slice(-1), LENGTH, beta)
  return s / n
}

describe('reference KL: the estimator against a closed-form truth', () => {
  let policy: MarkovModel
  let reference: MarkovModel
  let leash: TestLeash
  let client: OpenAI
  let projectId: string

  async function setReference(patch: Record<string, unknown>) {
    const put = await api(leash, `/api/projects/${projectId}/settings`, {
      method: 'PUT',
      body: JSON.stringify({
        reference: {
          model: 'markov-sft',
          mode: 'logprobs',
          sampleRate: 1,
          maxPerMinute: 100_000,
          klBudget: 2,
          ...patch,
        },
      }),
    })
    expect(put.status).toBe(200)
  }

  async function traffic(n: number, timeout?: number) {
    for (let i = 0; i < n; i++) {
      const res = await client.completions.create(
        {
          model: 'markov-policy',
          prompt: PROMPTS[i % PROMPTS.length] as string,
          max_tokens: LENGTH,
          temperature: 1,
        },
        timeout ? { timeout } : {},
      )
      expect(res.choices[0]?.text).toHaveLength(LENGTH)
    }
    await leash.pipeline.flush()
    await leash.reference.idle()
  }

  const view = async (from: number, to: number) =>
    (
      await api<LeashView>(
        leash,
        `/api/reference/leash?project=${projectId}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
      )
    ).body

  beforeAll(async () => {
    policy = await startMarkovModel({ beta: BETA_BEFORE, seed: 11 })
    reference = await startMarkovModel({ beta: 0, seed: 12 })
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: policy.baseUrl })
    client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const { body } = await api<{ items: { id: string }[] }>(leash, '/api/projects')
    projectId = body.items[0]?.id ?? ''
    await setReference({ baseUrl: reference.baseUrl })
  }, 120_000)
  afterAll(async () => {
    await leash?.stop()
    await policy?.close()
    await reference?.close()
  })

  it('lands within 10% of the true KL with an interval covering it, and rises when the policy shifts', async () => {
    const t0 = Date.now()
    await traffic(N)
    const t1 = Date.now()
    policy.beta = BETA_AFTER
    await traffic(N)
    const t2 = Date.now()

    const before = await view(t0, t1)
    const after = await view(t1, t2)
    const trueBefore = truth(BETA_BEFORE, N)
    const trueAfter = truth(BETA_AFTER, N)
    const kb = before.kl?.mean as { value: number; lo: number; hi: number }
    const ka = after.kl?.mean as { value: number; lo: number; hi: number }
    console.log(
      `reference KL before: true ${trueBefore.toFixed(4)}, k3 mean ${kb.value.toFixed(4)} [${kb.lo.toFixed(4)}, ${kb.hi.toFixed(4)}], k1 mean ${before.klK1?.mean.value.toFixed(4)}; ` +
        `after: true ${trueAfter.toFixed(4)}, k3 mean ${ka.value.toFixed(4)} [${ka.lo.toFixed(4)}, ${ka.hi.toFixed(4)}], k1 mean ${after.klK1?.mean.value.toFixed(4)}`,
    )
    expect(before.kl?.n).toBe(N)
    expect(after.kl?.n).toBe(N)
    for (const [est, t] of [
      [kb, trueBefore],
      [ka, trueAfter],
    ] as const) {
      expect(Math.abs(est.value - t) / t).toBeLessThan(0.1)
      expect(est.lo).toBeLessThanOrEqual(t)
      expect(est.hi).toBeGreaterThanOrEqual(t)
    }
    // The shift moves the estimate the right way, beyond both intervals.
    expect(trueAfter).toBeGreaterThan(trueBefore)
    expect(ka.lo).toBeGreaterThan(kb.hi)
    // k1 is unbiased too (noisier): within 15% here.
    expect(Math.abs((before.klK1?.mean.value ?? 0) - trueBefore) / trueBefore).toBeLessThan(0.15)
    // The window statistics are there: trimmed mean and p95 with intervals.
    expect(after.kl?.p95.value).toBeGreaterThan(ka.value)
    expect(after.kl?.trimmedMean.lo).toBeLessThanOrEqual(after.kl?.trimmedMean.value ?? 0)
    // The tokens that moved most: under the tilt, 'a' (W = +1) gains the most probability.
    expect(after.topTokens[0]?.token).toBeDefined()
    expect(after.topPrompts).toHaveLength(10)
    expect(after.reference).toMatchObject({ model: 'markov-sft', mode: 'logprobs', klBudget: 2 })

    // The same scores feed the catalog metric (and so alert rules): reference_kl over the whole run.
    const [m] = await queryMetricWindow(leash.clickhouse, {
      projectId,
      metric: 'reference_kl',
      from: t0,
      to: t2,
    })
    expect(m?.n).toBe(2 * N)
    expect(m?.value).toBeCloseTo((kb.value + ka.value) / 2, 6)
    const [p95] = await queryMetricWindow(leash.clickhouse, {
      projectId,
      metric: 'reference_kl_p95',
      from: t1,
      to: t2,
    })
    expect(p95?.value).toBeGreaterThan(ka.value)
    const counters = after.counters
    expect(counters).toMatchObject({ sampled: 2 * N, compared: 2 * N, failed: 0, droppedTokenization: 0 })
    // One generation per call and two scoring calls per sample (policy and reference), nothing else.
    expect(policy.served.generate).toBe(2 * N)
    expect(policy.served.echo).toBe(2 * N)
    expect(reference.served.echo).toBe(2 * N)
  }, 600_000)

  it('drops, and counts, samples the two sides tokenize differently', async () => {
    const pairs = await startMarkovModel({ tokenizer: 'pairs' })
    try {
      await setReference({ baseUrl: pairs.baseUrl })
      const before = (
        await api<{ counters: { droppedTokenization: number; compared: number } }>(
          leash,
          `/api/reference/status?project=${projectId}`,
        )
      ).body.counters
      await traffic(12)
      const after = (
        await api<{ counters: { droppedTokenization: number; compared: number } }>(
          leash,
          `/api/reference/status?project=${projectId}`,
        )
      ).body.counters
      expect(after.droppedTokenization - before.droppedTokenization).toBe(12)
      expect(after.compared).toBe(before.compared)
    } finally {
      await pairs.close()
    }
  }, 120_000)

  it('a slow or failing reference never touches traffic: samples fail, counted, calls all succeed', async () => {
    const slow = await startMarkovModel({ delayMs: 1_500 })
    const down = await startMarkovModel({ status: 503 })
    try {
      const status = async () =>
        (
          await api<{ counters: { failed: number; lastError: string } }>(
            leash,
            `/api/reference/status?project=${projectId}`,
          )
        ).body.counters
      const f0 = (await status()).failed
      await setReference({ baseUrl: slow.baseUrl, timeoutMs: 300 })
      // Every call answers well within the reference's delay: the comparison is not on the call's path.
      await traffic(6, 1_000)
      const f1 = await status()
      expect(f1.failed - f0).toBe(6)
      expect(f1.lastError).toMatch(/no answer within 300 ms/)
      await setReference({ baseUrl: down.baseUrl })
      await traffic(6, 1_000)
      const f2 = await status()
      expect(f2.failed - f1.failed).toBe(6)
      expect(f2.lastError).toMatch(/HTTP 503/)
    } finally {
      await slow.close()
      await down.close()
    }
  }, 120_000)
})
