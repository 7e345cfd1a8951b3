import type { AlertRule, AlertSpec } from '@leash/shared'
import { describe, expect, it } from 'vitest'
import { EMPTY_RULE, fromRule, toRuleInput } from '../src/lib/rule-form.ts'

const SPECS: AlertSpec[] = [
  { kind: 'threshold', metric: 'refusal_rate', op: '>', value: 0.3, clear: 0.25 },
  {
    kind: 'change',
    metric: 'reward_mean',
    baseline: { type: 'model', model: 'gpt-4o' },
    mode: 'relative',
    direction: 'down',
    value: 0.1,
  },
  { kind: 'drift', metric: 'latency_p95', statistic: 'ks', baseline: { type: 'week_before' }, value: 0.2 },
  {
    kind: 'tradeoff',
    a: { metric: 'reward_mean', direction: 'up', by: 0.05 },
    b: { metric: 'citation_support_rate', direction: 'down', by: 0.02 },
    baseline: { type: 'week_before' },
  },
  { kind: 'burn_rate', metric: 'error_rate', objective: 0.99, factor: 14.4, shortWindow: '5m' },
  { kind: 'no_data', metric: 'requests' },
]

function rule(spec: AlertSpec): AlertRule {
  return {
    id: 'r1',
    projectId: 'p1',
    name: `a ${spec.kind} rule`,
    spec,
    window: '10m',
    interval: '1m',
    severity: 'critical',
    for: 2,
    keepFiringFor: '0s',
    groupBy: ['model'],
    channels: [],
    enabled: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }
}

describe('the rule editor form', () => {
  it('reads every kind of stored rule into its sub-form and writes the same spec back', () => {
    for (const spec of SPECS) {
      const out = toRuleInput(fromRule(rule(spec)), 'p1')
      expect(out.ok).toBe(true)
      if (out.ok) expect(out.body.spec).toEqual(spec)
    }
  })

  it('names the field the schema rejects', () => {
    const form = { ...EMPTY_RULE, name: 'x', window: '5x' }
    const out = toRuleInput(
      { ...form, specs: { ...form.specs, threshold: { ...form.specs.threshold, metric: 'm', value: '1' } } },
      '',
    )
    expect(out).toEqual({ ok: false, issues: expect.arrayContaining([expect.stringMatching(/^window: /)]) })
  })
})
