import { mulberry32, shuffleInPlace } from '../../src/scoring/ml/rng.js'
/** mulberry32 (see ml/rng.ts): splits, shuffles and initial weights are reproducible. */
export const seededRandom = mulberry32
/** Fisher-Yates shuffle of a copy. */
export function shuffled(items, rand) {
  return shuffleInPlace(items.slice(), rand)
}
