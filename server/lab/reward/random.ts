import { mulberry32, shuffleInPlace } from '../../src/scoring/ml/rng.ts'

/** mulberry32 (see ml/rng.ts): splits, shuffles and initial weights are reproducible. */
export const seededRandom = mulberry32

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  return shuffleInPlace(items.slice(), rand)
}
