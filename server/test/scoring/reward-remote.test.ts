import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { createRewardScorer } from '../../src/scoring/reward/index.ts'
import { createRemoteRewardScorer } from '../../src/scoring/reward/remote.ts'
import { scoreExchanges } from '../../src/scoring/run.ts'
import { SCORE, type ScoreInput } from '../../src/scoring/scorer.ts'
import { type RemoteRewardServer, startRemoteRewardServer } from '../support/remote-scorer.ts'

let server: RemoteRewardServer
beforeAll(async () => {
  server = await startRemoteRewardServer()
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.mode = 'ok'
  server.failNext = 0
  server.requests = 0
  server.batches = []
  server.version = 'rm-7'
})

function inputs(n: number): ScoreInput[] {
  return Array.from({ length: n }, (_, i) => ({
    prompt: `question ${i}`,
    messages: [{ role: 'user', content: `question ${i}` }],
    response: 'x'.repeat(i + 1),
    sources: [],
    tools: [],
    toolCalls: [],
  }))
}

describe('remote reward scorer', () => {
  it('posts a batch and maps scores back in order, with name and version from the endpoint', async () => {
    const scorer = await createRewardScorer({ kind: 'remote', url: server.url, timeoutMs: 2000 })
    expect(scorer.name).toBe(`reward-remote:${new URL(server.url).host}`)
    expect(scorer.version).toBe('remote')
    const out = await scorer.scoreBatch(inputs(3))
    expect(out).toEqual([
      [{ name: SCORE.reward, value: 1 }],
      [{ name: SCORE.reward, value: 2 }],
      [{ name: SCORE.reward, value: 3 }],
    ])
    expect(scorer.version).toBe('rm-7')
    const shadow = await createRewardScorer({ kind: 'remote', url: server.url }, { shadow: true })
    expect((await shadow.scoreBatch(inputs(1)))[0]?.[0]?.name).toBe(SCORE.rewardShadow)
  })

  it('splits a large batch into requests of maxBatch', async () => {
    const scorer = createRemoteRewardScorer({ url: server.url, maxBatch: 4 })
    const out = await scorer.scoreBatch(inputs(10))
    expect(out.map((r) => r[0]?.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(server.batches).toEqual([4, 4, 2])
  })

  it('times out a slow endpoint, retries, then rejects within the time budget', async () => {
    server.mode = 'slow'
    server.delayMs = 2000
    const scorer = createRemoteRewardScorer({ url: server.url, timeoutMs: 100, retries: 1, backoffMs: 10 })
    const started = Date.now()
    await expect(scorer.scoreBatch(inputs(2))).rejects.toThrow(/timed out after 100 ms/)
    expect(Date.now() - started).toBeLessThan(1500)
    expect(server.requests).toBe(2)
  })

  it('retries 503s with backoff and recovers', async () => {
    server.failNext = 2
    const scorer = createRemoteRewardScorer({ url: server.url, retries: 2, backoffMs: 5 })
    const out = await scorer.scoreBatch(inputs(2))
    expect(out.map((r) => r[0]?.value)).toEqual([1, 2])
    expect(server.requests).toBe(3)
  })

  it('does not retry a 400 or a malformed answer', async () => {
    const scorer = createRemoteRewardScorer({
      url: server.url,
      retries: 3,
      backoffMs: 5,
      failureThreshold: 100,
    })
    server.mode = 'bad-request'
    await expect(scorer.scoreBatch(inputs(2))).rejects.toThrow(/HTTP 400/)
    expect(server.requests).toBe(1)
    server.mode = 'wrong-count'
    await expect(scorer.scoreBatch(inputs(3))).rejects.toThrow(/2 scores for 3 inputs/)
    server.mode = 'bad-json'
    await expect(scorer.scoreBatch(inputs(1))).rejects.toThrow(/not JSON/)
    expect(server.requests).toBe(3)
  })

  it('opens the circuit after N consecutive failures, refuses without calling, probes after the cooldown', async () => {
    server.mode = 'fail'
    const scorer = createRemoteRewardScorer({
      url: server.url,
      retries: 0,
      failureThreshold: 3,
      cooldownMs: 300,
    })
    for (let i = 0; i < 3; i++) await expect(scorer.scoreBatch(inputs(1))).rejects.toThrow(/HTTP 500/)
    expect(scorer.breaker.current).toBe('open')
    await expect(scorer.scoreBatch(inputs(1))).rejects.toThrow(/circuit open/)
    expect(server.requests).toBe(3)

    // A failed probe opens it again for another cooldown.
    await sleep(320)
    expect(scorer.breaker.current).toBe('half-open')
    await expect(scorer.scoreBatch(inputs(1))).rejects.toThrow(/HTTP 500/)
    expect(server.requests).toBe(4)
    await expect(scorer.scoreBatch(inputs(1))).rejects.toThrow(/circuit open/)
    expect(server.requests).toBe(4)

    // The endpoint recovers: the next probe succeeds and closes the circuit.
    server.mode = 'ok'
    await sleep(320)
    expect((await scorer.scoreBatch(inputs(2))).map((r) => r[0]?.value)).toEqual([1, 2])
    expect(scorer.breaker.current).toBe('closed')
    expect((await scorer.scoreBatch(inputs(1)))[0]?.[0]?.value).toBe(1)
  })

  it('lets only one probe through while half-open', async () => {
    server.mode = 'fail'
    const scorer = createRemoteRewardScorer({
      url: server.url,
      retries: 0,
      failureThreshold: 1,
      cooldownMs: 100,
    })
    await expect(scorer.scoreBatch(inputs(1))).rejects.toThrow(/HTTP 500/)
    await sleep(120)
    server.mode = 'slow'
    server.delayMs = 100
    const results = await Promise.allSettled([scorer.scoreBatch(inputs(1)), scorer.scoreBatch(inputs(1))])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected'])
    expect(server.requests).toBe(2)
  })

  it('rejects when nothing listens, without hanging', async () => {
    const down = await startRemoteRewardServer()
    const url = down.url
    await down.close()
    const scorer = createRemoteRewardScorer({ url, retries: 1, backoffMs: 5, timeoutMs: 500 })
    await expect(scorer.scoreBatch(inputs(1))).rejects.toThrow(/request failed/)
  })

  it('in the pipeline, a failing endpoint loses only its own scores, loudly', async () => {
    server.mode = 'fail'
    const remote = createRemoteRewardScorer({ url: server.url, retries: 0 })
    const builtin = await createRewardScorer({ kind: 'builtin' }, { shadow: true })
    const logs: { msg: string; fields?: Record<string, unknown> }[] = []
    const ex: ExchangeRecord = {
      eventId: 'e1',
      projectId: 'p1',
      time: 0,
      endpoint: 'chat.completions',
      route: 'default',
      upstream: 'demo',
      model: 'm',
      stream: false,
      status: 200,
      outcome: 'ok',
      latencyMs: 10,
      ttftMs: 5,
      usage: null,
      usageFromUpstream: true,
      costUsd: 0,
      request: [{ role: 'user', content: 'hi' }],
      prompt: 'hi',
      responseText: 'Hello! How can I help?',
      tools: [],
      toolCalls: [],
      finishReason: 'stop',
      tags: { user: '', session: '', feature: '', policyVersion: '', extra: {} },
      sources: [],
      errorMessage: '',
    }
    const rows = await scoreExchanges([ex], [remote, builtin], (_level, msg, fields) =>
      logs.push({ msg, fields }),
    )
    expect(rows.map((r) => [r.scorer, r.name])).toEqual([['reward-builtin', SCORE.rewardShadow]])
    expect(logs[0]?.msg).toBe('scorer failed')
    expect(String(logs[0]?.fields?.error)).toMatch(/HTTP 500/)
  })
})
