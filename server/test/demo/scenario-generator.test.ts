import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import {
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
} from '../../src/db/clickhouse/index.ts'
import { DEMO_SCENARIOS, type DemoScenario } from '../../src/demo/scenario.ts'
import { generateScenarioExchanges, SCENARIO_SIGNATURE } from '../../src/demo/scenarios.ts'
import { compareToBaseline } from '../../src/drift/baseline.ts'
import { rewardHackingSignals } from '../../src/drift/signals.ts'

const MIN = 60_000
const START = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 86_400_000
const RUN = { start: START, minutes: 60, ratePerMinute: 30, shiftAtMinute: 30, recoverAtMinute: 50, seed: 7 }
const before = { from: START, to: START + 30 * MIN }
const during = { from: START + 30 * MIN, to: START + 50 * MIN }
const after = { from: START + 50 * MIN, to: START + 60 * MIN }

let ch: ClickHouseClient
let dir: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-scenarios-'))
  ch = createClickHouse({ dataDir: dir })
  await migrateClickHouse(ch)
  for (const scenario of [...DEMO_SCENARIOS, 'control'] as const) {
    const run = generateScenarioExchanges({ ...RUN, scenario, projectId: `p-${scenario}` })
    await insertExchanges(ch)(run.exchanges)
    await insertScores(ch)(run.scores)
  }
}, 60_000)

afterAll(async () => {
  await ch?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('generateScenarioExchanges', () => {
  it('is deterministic for a seed and spreads rows over the minutes', () => {
    const a = generateScenarioExchanges({ ...RUN, scenario: 'over-refusal' })
    const b = generateScenarioExchanges({ ...RUN, scenario: 'over-refusal' })
    expect(a).toEqual(b)
    expect(a.exchanges).toHaveLength(60 * 30)
    expect(a.exchanges.every((e) => e.time >= START && e.time < START + 60 * MIN)).toBe(true)
    expect(new Set(a.exchanges.map((e) => e.eventId)).size).toBe(a.exchanges.length)
    expect(a.exchanges[0]?.eventId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    const c = generateScenarioExchanges({ ...RUN, scenario: 'over-refusal', seed: 8 })
    expect(c.scores).not.toEqual(a.scores)
  })

  const compare = (scenario: DemoScenario | 'control', metric: string, current: typeof during) =>
    compareToBaseline(ch, {
      projectId: `p-${scenario}`,
      metric,
      current,
      baseline: { kind: 'pinned', ...before },
      distribution: false,
    })

  it.each(DEMO_SCENARIOS)('%s moves its signature metric while on, and recovers', async (scenario) => {
    const sig = SCENARIO_SIGNATURE[scenario]
    const shifted = await compare(scenario, sig.metric, during)
    expect(shifted.insufficient).toBe(false)
    expect(shifted.significant).toBe(true)
    expect(Math.sign(shifted.delta ?? 0)).toBe(sig.direction === 'up' ? 1 : -1)
    if (shifted.test !== 'none') expect(shifted.p).toBeLessThan(1e-4)
    // Once behaviour returns, the change is a fraction of the shift (sampling noise, not the scenario).
    const recovered = await compare(scenario, sig.metric, after)
    expect(Math.abs(recovered.delta ?? Number.NaN)).toBeLessThan(0.25 * Math.abs(shifted.delta ?? 0))
  })

  it('the control run moves none of the signature metrics', async () => {
    for (const scenario of DEMO_SCENARIOS) {
      const r = await compare('control', SCENARIO_SIGNATURE[scenario].metric, during)
      expect(r.significant, SCENARIO_SIGNATURE[scenario].metric).toBe(false)
    }
  })

  it('reward-hacking signals catch the verbosity hack', async () => {
    const signals = await rewardHackingSignals(ch, {
      projectId: 'p-verbosity-hack',
      from: START + 10 * MIN,
      to: START + 50 * MIN,
      stepSeconds: 1200,
      baseline: { kind: 'pinned', ...before },
    })
    const [r0, r1] = signals.rewardLengthCorrelation.points.map((p) => p.value)
    expect(r0).not.toBeNull()
    expect((r1 ?? 0) - (r0 ?? 0)).toBeGreaterThan(0.3)
    expect(signals.findings.join('; ')).toMatch(/reward-length correlation climbed/)
    expect(signals.goodhartGap.lo).toBeGreaterThan(0)
    const control = await rewardHackingSignals(ch, {
      projectId: 'p-control',
      from: START + 10 * MIN,
      to: START + 50 * MIN,
      stepSeconds: 1200,
      baseline: { kind: 'pinned', ...before },
    })
    expect(control.findings).toEqual([])
  })
})
