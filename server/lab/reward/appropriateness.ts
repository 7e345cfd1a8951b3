import { type Appraiser, appropriateness } from '../../src/scoring/reward/appraiser.ts'
import { pairwiseAccuracy } from './eval.ts'
import type { PreferencePair } from './pairs.ts'

/** Candidate weights of the appropriateness term, in units of the learned score. */
export const APPROPRIATENESS_WEIGHTS = [0, 0.5, 1, 2, 4, 8] as const

/**
 * Chooses the composite's appropriateness weight on dev pairs only, by a rule fixed before looking at any
 * held-out set: the weight with the best mean of harmlessness-dev accuracy and answer-vs-refusal-dev
 * accuracy (the two dimensions the term trades off); the smaller weight wins a tie.
 */
export function chooseAppropriatenessWeight(
  score: (prompt: string, response: string) => number,
  appraiser: Appraiser,
  devSets: readonly (readonly PreferencePair[])[],
): { weight: number; devMean: number; search: { weight: number; accuracies: number[] }[] } {
  const parts = devSets.map((pairs) =>
    pairs.map((p) => {
      const side = (r: string) => [score(p.prompt, r), appropriateness(appraiser.appraise(p.prompt, r))]
      return [side(p.chosen), side(p.rejected)] as const
    }),
  )
  let best = { weight: 0, devMean: -1 }
  const search: { weight: number; accuracies: number[] }[] = []
  for (const w of APPROPRIATENESS_WEIGHTS) {
    const accuracies = parts.map((rows) =>
      pairwiseAccuracy(
        rows.map(([c]) => (c[0] as number) + w * (c[1] as number)),
        rows.map(([, r]) => (r[0] as number) + w * (r[1] as number)),
      ),
    )
    search.push({ weight: w, accuracies })
    const mean = accuracies.reduce((a, b) => a + b, 0) / Math.max(accuracies.length, 1)
    if (mean > best.devMean + 1e-9) best = { weight: w, devMean: mean }
  }
  return { ...best, search }
}
