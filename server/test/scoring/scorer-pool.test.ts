import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtinScorers, createScorerSet } from '../../src/scoring/registry.ts'
import type { ScoreInput, Scorer } from '../../src/scoring/scorer.ts'
import { ScorerPool } from '../../src/scoring/workers/pool.ts'

const NAMES = ['grounding', 'tools', 'style'] as const

function inputs(n: number, tag = ''): ScoreInput[] {
  return Array.from({ length: n }, (_, i) => ({
    prompt: `question ${i}`,
    messages: [],
    response: `Answer ${tag}${i}: Paris is the capital of France [1]. It has ${i} bridges. I think it is lovely.`,
    sources: [{ id: '1', text: 'Paris is the capital and most populous city of France.' }],
    tools: [{ name: 'f', parameters: { type: 'object', required: ['x'] } }],
    toolCalls: i % 3 === 0 ? [{ id: 'c', name: 'f', arguments: i % 2 === 0 ? '{"x":1}' : '{}' }] : [],
  }))
}

async function all(scorers: readonly Scorer[], batch: readonly ScoreInput[]) {
  return Promise.all(scorers.map(async (s) => s.scoreBatch(batch)))
}

describe('scorer worker pool (real worker threads)', () => {
  let pool: ScorerPool
  let local: Scorer[]

  beforeAll(async () => {
    pool = await ScorerPool.create({ size: 2, scorers: [...NAMES], minChunk: 4 })
    local = await builtinScorers(NAMES)
  })
  afterAll(async () => {
    await pool.close()
  })

  it('exposes each built-in scorer with its own name and version', () => {
    expect(pool.scorers.map((s) => `${s.name}@${s.version}`)).toEqual(
      local.map((s) => `${s.name}@${s.version}`),
    )
    expect(pool.size).toBe(2)
  })

  it('returns the same scores as in-process scoring, in input order, across workers', async () => {
    const batch = inputs(50)
    const [remote, here] = await Promise.all([all(pool.scorers, batch), all(local, batch)])
    expect(remote).toEqual(here)
    // Order: the bridges count differs per row and shows up in the grounding features.
    expect(remote[1]?.[3]).toEqual([
      { name: 'tool_call_valid', value: 0, label: 'schema:/x required' },
      { name: 'tool_calls', value: 1 },
    ])
    expect(remote[1]?.[6]?.[0]).toMatchObject({ name: 'tool_call_valid', value: 1 })
  })

  it('fails only the scorers that threw, only for that batch', async () => {
    const bad = inputs(6)
    ;(bad[2] as { response: unknown }).response = null
    const settled = await Promise.allSettled(pool.scorers.map(async (s) => s.scoreBatch(bad)))
    const byName = Object.fromEntries(pool.scorers.map((s, i) => [s.name, settled[i]?.status]))
    expect(byName).toEqual({ grounding: 'rejected', tools: 'fulfilled', style: 'rejected' })
    const next = await all(pool.scorers, inputs(6))
    expect(next.every((r) => r.length === 6)).toBe(true)
  })

  it('fails the batches of a crashed worker, then restarts it', async () => {
    pool.crashOneWorker()
    const during = await Promise.allSettled(pool.scorers.map(async (s) => s.scoreBatch(inputs(16, 'c'))))
    expect(during.some((r) => r.status === 'rejected' && /exited|crashed/.test(String(r.reason)))).toBe(true)
    // The replacement worker takes new batches once it is up.
    const deadline = Date.now() + 20_000
    let ok = false
    while (!ok && Date.now() < deadline) {
      const r = await Promise.allSettled(pool.scorers.map(async (s) => s.scoreBatch(inputs(16))))
      ok = r.every((x) => x.status === 'fulfilled')
      if (!ok) await new Promise((res) => setTimeout(res, 100))
    }
    expect(ok).toBe(true)
    expect(pool.size).toBe(2)
  })

  it('scores an empty batch and rejects work after close', async () => {
    expect(await pool.scorers[0]?.scoreBatch([])).toEqual([])
    const p = await ScorerPool.create({ size: 1, scorers: ['style'] })
    await p.close()
    await expect(p.scorers[0]?.scoreBatch(inputs(1))).rejects.toThrow(/closed/)
  })
})

describe('project scorer set', () => {
  it('runs built-ins in the pool and an ONNX reward plus a shadow on the main thread', async () => {
    const tinyRm = path.resolve(import.meta.dirname, '../../../../shared/models/tiny-rm')
    const set = await createScorerSet(
      { scoring: { reward: { kind: 'onnx', path: tinyRm }, shadowReward: { kind: 'builtin' } } },
      { pool: { size: 1 } },
    )
    try {
      const names = set.scorers.map((s) => s.name)
      expect(names.slice(0, 4)).toEqual(['safety', 'grounding', 'tools', 'style'])
      expect(names.some((n) => n.startsWith('reward-onnx'))).toBe(true)
      const batch = inputs(4)
      const results = await Promise.all(set.scorers.map(async (s) => s.scoreBatch(batch)))
      const scoreNames = new Set(results.flatMap((r) => r.flatMap((row) => row.map((v) => v.name))))
      for (const n of [
        'refusal',
        'prompt_risk',
        'citation_coverage',
        'length_tokens',
        'reward',
        'reward_shadow',
      ]) {
        expect(scoreNames.has(n)).toBe(true)
      }
    } finally {
      await set.close()
    }
  })
})
