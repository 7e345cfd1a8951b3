import type { Interval } from '../stats/intervals.ts'
import { Z95 } from '../stats/normal.ts'
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
  const rates: CatalogMetric[] = (['accuracy', 'sensitivity', 'specificity'] as const).map((measure) => ({
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
  return [
    ...rates,
    {
      name: `${what}_scorer_kappa`,
      family: 'control',
      unit: 'score',
      aggregate: 'kappa',
      description: `The ${what.replace('_', ' ')} scorer's Cohen's kappa against human labels (agreement beyond chance)`,
      formula: `(p_o - p_e) / (1 - p_e) over the 2x2 table of scorer verdict x label (${label}; latest uniform human label per exchange); 95% interval from the Fleiss-Cohen-Everitt large-sample SE`,
      minSamples: 30,
      better: 'higher',
      source: { kind: 'label_agreement', score, label, measure: 'kappa', scorerPositive, labelPositive },
    },
  ]
}

/**
 * Cohen's kappa of two binary raters from sufficient statistics: n pairs, sx = scorer positives,
 * sy = label positives, sxy = both positive. 95% interval kappa +/- z * SE, with the non-null large-sample
 * variance of Fleiss, Cohen and Everitt (1969), clipped to [-1, 1]. Null when chance agreement is 1
 * (every pair in one class: kappa is undefined).
 */
export function cohenKappa(n: number, sx: number, sy: number, sxy: number, z = Z95): Interval {
  if (n <= 0) return { value: null, lo: null, hi: null }
  const p11 = sxy / n
  const p10 = (sx - sxy) / n // scorer positive, label negative
  const p01 = (sy - sxy) / n // scorer negative, label positive
  const p00 = Math.max(0, 1 - p11 - p10 - p01)
  const r1 = sx / n
  const r0 = 1 - r1
  const c1 = sy / n
  const c0 = 1 - c1
  const po = p11 + p00
  const pe = r1 * c1 + r0 * c0
  if (pe >= 1 - 1e-12) return { value: null, lo: null, hi: null }
  const k = (po - pe) / (1 - pe)
  const diag = p11 * (1 - (r1 + c1) * (1 - k)) ** 2 + p00 * (1 - (r0 + c0) * (1 - k)) ** 2
  const off = (1 - k) ** 2 * (p10 * (c1 + r0) ** 2 + p01 * (c0 + r1) ** 2)
  const variance = Math.max(0, (diag + off - (k - pe * (1 - k)) ** 2) / (n * (1 - pe) ** 2))
  const half = z * Math.sqrt(variance)
  return { value: k, lo: Math.max(-1, k - half), hi: Math.min(1, k + half) }
}
