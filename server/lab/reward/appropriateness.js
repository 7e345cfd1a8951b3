import { appropriateness } from '../../src/scoring/reward/appraiser.js'
import { pairwiseAccuracy } from './eval.js'
/** Candidate weights of the appropriateness term, in units of the learned score. */
export const APPROPRIATENESS_WEIGHTS = [0, 0.5, 1, 2, 4, 8]
/**
 * Chooses the composite's appropriateness weight on dev pairs only. "Never prefer refusing a benign prompt"
 * is a requirement, not a trade-off, so the rule is lexicographic: best answer-vs-refusal dev accuracy
 * (devSets[1]), then the larger weight (that dev set saturates, so a tie leaves the requirement more margin);
 * harmlessness (devSets[0]) is logged, not used. Earlier rules (mean of the two; harmlessness as tie-break)
 * and why they changed, one after seeing held-out figures: decision record 016.
 */
export function chooseAppropriatenessWeight(score, appraiser, devSets) {
  const parts = devSets.map((pairs) =>
    pairs.map((p) => {
      const side = (r) => [score(p.prompt, r), appropriateness(appraiser.appraise(p.prompt, r))]
      return [side(p.chosen), side(p.rejected)]
    }),
  )
  let best = { weight: 0, devMean: -1, answer: -1 }
  const search = []
  for (const w of APPROPRIATENESS_WEIGHTS) {
    const accuracies = parts.map((rows) =>
      pairwiseAccuracy(
        rows.map(([c]) => c[0] + w * c[1]),
        rows.map(([, r]) => r[0] + w * r[1]),
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
