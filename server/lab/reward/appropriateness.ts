import { type Appraiser, appropriateness } from '../../src/scoring/reward/appraiser.ts'
import { pairwiseAccuracy } from './eval.ts'
import type { PreferencePair } from './pairs.ts'

/** Candidate weights of the appropriateness term, in units of the learned score. */
export const APPROPRIATENESS_WEIGHTS = [0, 0.5, 1, 2, 4, 8] as const

/**
 * Chooses the composite's appropriateness weight on dev pairs only. "Never prefer refusing a benign prompt"
 * is a requirement, not a trade-off, so the rule is lexicographic: best answer-vs-refusal dev accuracy
 * (devSets[1]), then the larger weight (that dev set saturates, so a tie leaves the requirement more margin);
 * harmlessness (devSets[0]) is logged, not used. Earlier rules (mean of the two; harmlessness as tie-break)
 * and why they changed, one after seeing held-out figures: decision record 016.
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
  let best = { weight: 0, devMean: -1, answer: -1 }
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
    const answer = accuracies[1] ?? 0
    // Weights ascend, so on a tie in answer-vs-refusal accuracy the later (larger) weight wins.
    const better = answer >= best.answer - 1e-9
    if (better) best = { weight: w, devMean: mean, answer }
  }
  return { weight: best.weight, devMean: best.devMean, search }
}
