import { AlertRuleInput } from '@leash/shared'
import { describe, expect, it } from 'vitest'
import { judge } from '../../src/alerts/judge.ts'
import { toRuleConfig } from '../../src/alerts/rule-config.ts'
import { toRow } from '../../src/alerts/rules.ts'
import type { DriftQuery, DriftResult, MetricSource } from '../../src/alerts/source.ts'
import type { MetricValue, MetricWindowQuery } from '../../src/metrics/types.ts'

/** Verdicts of each rule kind from metric values fed through the MetricSource interface. */
const NOW = Date.UTC(2026, 10, 9, 12, 0, 0)
const WEEK = 7 * 86_400_000

const mv = (value: number | null, lo: number | null, hi: number | null, n = 500): MetricValue => ({
  labels: {},
  n,
  value,
  lo,
  hi,
  insufficient: value === null,
})

function source(
  values: (q: MetricWindowQuery) => MetricValue[],
  drift?: (q: DriftQuery) => DriftResult,
): MetricSource & { calls: MetricWindowQuery[]; driftCalls: DriftQuery[] } {
  const calls: MetricWindowQuery[] = []
  const driftCalls: DriftQuery[] = []
  return {
    calls,
    driftCalls,
    window: async (q) => {
      calls.push(q)
      return values(q)
    },
    drift: async (q) => {
      driftCalls.push(q)
      if (!drift) throw new Error('no drift')
      return drift(q)
    },
    examples: async () => [],
    describe: () => ({ minSamples: 30, better: 'lower' }),
  }
}

function rule(input: Record<string, unknown>) {
  const parsed = AlertRuleInput.parse({ name: 'r', window: '15m', ...input })
  const now = new Date()
  return toRuleConfig({
    ...toRow(parsed),
    id: '00000000-0000-4000-8000-000000000001',
    projectId: '00000000-0000-4000-8000-000000000002',
    builtin: null,
    deletedAt: null,
    createdAt: now,
    updatedAt: now,
  })
}

const isBaseline = (q: MetricWindowQuery) => q.to <= NOW - WEEK

describe('change rules', () => {
  const r = rule({
    spec: {
      kind: 'change',
      metric: 'latency_p95',
      mode: 'relative',
      direction: 'up',
      value: 0.5,
      clear: 0.25,
      baseline: { type: 'week_before' },
    },
  })
  it('compares with the same window a week before, on the lower bound of the change', async () => {
    const src = source((q) => (isBaseline(q) ? [mv(1000, 950, 1050)] : [mv(1800, 1700, 1900)]))
    const [o] = await judge(src, r, NOW)
    expect(o?.outcome).toBe('bad')
    expect(o?.value).toBeCloseTo(0.8, 5)
    expect(o?.baseline?.value).toBe(1000)
    expect(src.calls.map((c) => c.to)).toEqual(expect.arrayContaining([NOW, NOW - WEEK]))
  })
  it('a large but uncertain change is not a breach', async () => {
    const src = source((q) => (isBaseline(q) ? [mv(1000, 600, 1400)] : [mv(1600, 1000, 2200)]))
    expect((await judge(src, r, NOW))[0]?.outcome).toBe('hold')
  })
  it('clears below the clear threshold; missing baseline is insufficient, never zero', async () => {
    const ok = source((q) => (isBaseline(q) ? [mv(1000, 950, 1050)] : [mv(1100, 1050, 1150)]))
    expect((await judge(ok, r, NOW))[0]?.outcome).toBe('good')
    const noBase = source((q) => (isBaseline(q) ? [] : [mv(1800, 1700, 1900)]))
    expect((await judge(noBase, r, NOW))[0]?.outcome).toBe('insufficient')
  })
  it('significance mode uses the p-value of the difference', async () => {
    const sig = rule({
      spec: {
        kind: 'change',
        metric: 'refusal_rate',
        mode: 'significance',
        direction: 'up',
        value: 0.01,
        baseline: { type: 'week_before' },
      },
    })
    const src = source((q) => (isBaseline(q) ? [mv(0.1, 0.09, 0.11)] : [mv(0.14, 0.13, 0.15)]))
    const [o] = await judge(src, sig, NOW)
    expect(o?.outcome).toBe('bad')
    expect(o?.value).toBeLessThan(0.001)
    const down = source((q) => (isBaseline(q) ? [mv(0.14, 0.13, 0.15)] : [mv(0.1, 0.09, 0.11)]))
    expect((await judge(down, sig, NOW))[0]?.outcome).toBe('good')
  })
})

describe('day-one baselines (week_or_recent)', () => {
  const r = rule({
    spec: {
      kind: 'change',
      metric: 'completion_tokens_mean',
      mode: 'relative',
      direction: 'up',
      value: 0.3,
      clear: 0.15,
      baseline: { type: 'week_or_recent', hours: 6 },
    },
  })
  const FROM = NOW - 15 * 60_000
  const isRecent = (q: MetricWindowQuery) => q.to === FROM && q.from === FROM - 6 * 3_600_000
  it('a new install (no last week) compares with the previous 6 hours, and says so', async () => {
    const src = source((q) => (isBaseline(q) ? [] : isRecent(q) ? [mv(200, 195, 205)] : [mv(320, 310, 330)]))
    const [o] = await judge(src, r, NOW)
    expect(o?.outcome).toBe('bad')
    expect(o?.value).toBeCloseTo(0.6, 5)
    expect(o?.baseline).toMatchObject({
      value: 200,
      from: new Date(FROM - 6 * 3_600_000).toISOString(),
      to: new Date(FROM).toISOString(),
      label: 'previous 6 h (no week of history yet)',
    })
    expect(o?.summary).toContain('previous 6 h')
  })
  it('once last week has enough samples it is the baseline', async () => {
    const src = source((q) =>
      isBaseline(q) ? [mv(300, 290, 310)] : isRecent(q) ? [mv(200, 195, 205)] : [mv(320, 310, 330)],
    )
    const [o] = await judge(src, r, NOW)
    expect(o?.outcome).toBe('good')
    expect(o?.baseline).toMatchObject({ value: 300, label: 'same window last week' })
    // A week-old baseline below the minimum sample size does not count: the recent hours stand in.
    const thin = source((q) =>
      isBaseline(q) ? [mv(300, 100, 500, 5)] : isRecent(q) ? [mv(200, 195, 205)] : [mv(320, 310, 330)],
    )
    expect((await judge(thin, r, NOW))[0]?.baseline?.value).toBe(200)
  })
  it('every default rule that compares with the past uses a day-one baseline', async () => {
    const { DEFAULT_RULES } = await import('../../src/alerts/defaults.ts')
    const withBaseline = DEFAULT_RULES.filter((d) => 'baseline' in d.spec)
    expect(withBaseline.length).toBe(5)
    for (const d of withBaseline)
      expect(d.spec).toMatchObject({ baseline: { type: 'week_or_recent', hours: 6 } })
  })
})

describe('trade-off rules ("both are failure")', () => {
  const r = rule({
    spec: {
      kind: 'tradeoff',
      a: { metric: 'violation_rate', direction: 'down', by: 0.01 },
      b: { metric: 'false_refusal_rate', direction: 'up', by: 0.02 },
      baseline: {
        type: 'pinned',
        from: new Date(NOW - 2 * WEEK).toISOString(),
        to: new Date(NOW - WEEK).toISOString(),
      },
    },
  })
  const values = (va: [number, number][], vb: [number, number][]) => (q: MetricWindowQuery) => {
    const [base, cur] = q.metric === 'violation_rate' ? va : vb
    const v = isBaseline(q) ? base : cur
    return [mv(v?.[0] ?? 0, (v?.[0] ?? 0) - (v?.[1] ?? 0), (v?.[0] ?? 0) + (v?.[1] ?? 0), 2000)]
  }
  it('fires when violations fall while false refusals rise, both beyond bounds', async () => {
    const src = source(
      values(
        [
          [0.05, 0.005],
          [0.02, 0.004],
        ],
        [
          [0.03, 0.005],
          [0.09, 0.008],
        ],
      ),
    )
    const [o] = await judge(src, r, NOW)
    expect(o?.outcome).toBe('bad')
    expect(o?.summary).toContain('violation_rate 5% -> 2%')
    expect(o?.summary).toContain('false_refusal_rate 3% -> 9%')
    expect(src.calls.filter(isBaseline).every((c) => c.from === NOW - 2 * WEEK)).toBe(true)
  })
  it('does not fire when only one leg moves', async () => {
    const src = source(
      values(
        [
          [0.05, 0.005],
          [0.05, 0.005],
        ],
        [
          [0.03, 0.005],
          [0.09, 0.008],
        ],
      ),
    )
    expect((await judge(src, r, NOW))[0]?.outcome).toBe('good')
  })
})

describe('burn-rate, drift and no-data rules', () => {
  it('burn rate needs both the long and the short window burning', async () => {
    const r = rule({
      window: '1h',
      spec: { kind: 'burn_rate', metric: 'error_rate', objective: 0.99, factor: 10 },
    })
    const both = source(() => [mv(0.2, 0.15, 0.25, 3000)])
    const [o] = await judge(both, r, NOW)
    expect(o?.outcome).toBe('bad')
    expect(o?.value).toBeCloseTo(20, 5)
    expect(both.calls.map((c) => c.to - c.from).sort((a, b) => a - b)).toEqual([300_000, 3_600_000])
    const longOnly = source((q) =>
      q.to - q.from === 300_000 ? [mv(0.01, 0.005, 0.02, 300)] : [mv(0.2, 0.15, 0.25, 3000)],
    )
    expect((await judge(longOnly, r, NOW))[0]?.outcome).toBe('hold')
  })
  it('drift compares the distribution against the baseline window', async () => {
    const r = rule({
      spec: {
        kind: 'drift',
        metric: 'latency_p95',
        statistic: 'psi',
        value: 0.2,
        baseline: { type: 'week_before' },
      },
    })
    const src = source(
      () => [],
      () => ({ value: 0.31, n: 800, baselineN: 790, insufficient: false }),
    )
    const [o] = await judge(src, r, NOW)
    expect(o?.outcome).toBe('bad')
    expect(src.driftCalls[0]?.baseline).toMatchObject({ from: NOW - 15 * 60_000 - WEEK, to: NOW - WEEK })
    const few = source(
      () => [],
      () => ({ value: null, n: 3, baselineN: 790, insufficient: true }),
    )
    expect((await judge(few, r, NOW))[0]?.outcome).toBe('insufficient')
  })
  it('no data fires when traffic stops', async () => {
    const r = rule({ spec: { kind: 'no_data', metric: 'requests' } })
    const stopped = source((q) => (q.to === NOW ? [] : [mv(500, null, null, 500)]))
    expect((await judge(stopped, r, NOW))[0]?.outcome).toBe('bad')
    expect(
      (
        await judge(
          source(() => [mv(12, null, null, 12)]),
          r,
          NOW,
        )
      )[0]?.outcome,
    ).toBe('good')
    // A project that never had traffic has nothing to lose: held in InsufficientData, not paged.
    expect(
      (
        await judge(
          source(() => []),
          r,
          NOW,
        )
      )[0]?.outcome,
    ).toBe('insufficient')
  })
})
