import type { AlertRuleInput } from '@leash/shared'

/**
 * Alert rule templates for the reference model (issue 19, decision 024). Not default rules: the KL
 * budget is the project's own (`reference.klBudget`, the budget its model was trained under), so they
 * are offered filled in (`GET /api/reference/rule-templates`) and created like any rule.
 */
export function REFERENCE_RULE_TEMPLATES(klBudget = 1): Array<AlertRuleInput & { template: string }> {
  return [
    {
      template: 'reference-kl-over-budget',
      name: `KL above the training budget (${klBudget} nats, lower 95% bound)`,
      // A threshold rule breaches only when the interval's lower bound is past the value.
      spec: { kind: 'threshold', metric: 'reference_kl', op: '>', value: klBudget, clear: klBudget * 0.9 },
      window: '1h',
      interval: '5m',
      severity: 'critical',
      for: 2,
    },
    {
      template: 'reward-up-reference-likelihood-down',
      name: 'Reward rising while reference likelihood falls (reward hacking)',
      spec: {
        kind: 'tradeoff',
        a: { metric: 'reward_mean', direction: 'up', by: 0.1 },
        // The reference's likelihood of what the policy says falls exactly when KL(policy || reference) rises.
        b: { metric: 'reference_kl', direction: 'up', by: klBudget * 0.25 },
        baseline: { type: 'week_before' },
      },
      window: '6h',
      interval: '15m',
      severity: 'warning',
    },
    {
      template: 'reference-refusal-delta',
      name: 'Refusing more than the reference on the same prompts (5 points, lower 95% bound)',
      spec: { kind: 'threshold', metric: 'reference_refusal_delta', op: '>', value: 0.05, clear: 0.03 },
      window: '1h',
      interval: '5m',
      severity: 'warning',
    },
  ]
}
