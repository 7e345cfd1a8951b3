import type { CatalogMetric } from './origin.ts'

/** Instrument health (issue 14): a binary scorer's agreement with uniformly sampled human labels. */
export function agreement(
  what: string,
  score: string,
  label: string,
  labelPositive: string[],
  scorerPositive = 'v0 >= 0.5',
): CatalogMetric[] {
  const words = {
    accuracy: ['agreement (accuracy) with human labels', 'labelled exchanges where the scorer agrees'],
    sensitivity: ['sensitivity against human labels', 'positives by label that the scorer calls positive'],
    specificity: ['specificity against human labels', 'negatives by label that the scorer calls negative'],
  } as const
  return (['accuracy', 'sensitivity', 'specificity'] as const).map((measure) => ({
    name: `${what}_scorer_${measure}`,
    family: 'control',
    unit: 'ratio',
    aggregate: 'rate',
    description: `The ${what.replace('_', ' ')} scorer's ${words[measure][0]}`,
    formula: `${words[measure][1]} / labelled exchanges (${label}; latest uniform human label per exchange); Wilson 95% interval`,
    minSamples: 30,
    better: 'higher',
    source: { kind: 'label_agreement', score, label, measure, scorerPositive, labelPositive },
  }))
}
