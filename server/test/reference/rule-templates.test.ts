import { AlertRuleInput } from '@leash/shared'
import { describe, expect, it } from 'vitest'
import { REFERENCE_RULE_TEMPLATES } from '../../src/alerts/reference-templates.ts'
import { findMetric } from '../../src/metrics/catalog.ts'

describe('reference rule templates', () => {
  it('are valid rules on catalog metrics, filled with the KL budget', () => {
    const items = REFERENCE_RULE_TEMPLATES(1.5)
    expect(items.map((t) => t.template)).toEqual([
      'reference-kl-over-budget',
      'reward-up-reference-likelihood-down',
      'reference-refusal-delta',
    ])
    for (const { template: _t, ...rule } of items) {
      const parsed = AlertRuleInput.parse(rule)
      const spec = parsed.spec
      const metrics =
        spec.kind === 'tradeoff' ? [spec.a.metric, spec.b.metric] : 'metric' in spec ? [spec.metric] : []
      for (const m of metrics) expect(findMetric(m), m).toBeDefined()
    }
    expect(items[0]?.spec).toMatchObject({ kind: 'threshold', metric: 'reference_kl', op: '>', value: 1.5 })
    expect(items[1]?.spec).toMatchObject({
      kind: 'tradeoff',
      a: { metric: 'reward_mean', direction: 'up' },
      b: { metric: 'reference_kl', direction: 'up' },
    })
    for (const name of [
      'reference_kl',
      'reference_kl_p95',
      'reference_reward_delta',
      'reference_refusal_delta',
      'reference_length_ratio',
      'reference_win_rate',
    ])
      expect(findMetric(name), name).toBeDefined()
  })
})
