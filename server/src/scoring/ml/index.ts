/**
 * Leash's small ML core: hashed sparse text features, L2 logistic regression with Platt calibration,
 * metrics, seeded randomness and a compact weights bundle. No dependencies; deterministic.
 */
export * from './bundle.ts'
export * from './hash.ts'
export * from './logreg.ts'
export * from './metrics.ts'
export * from './rng.ts'
export * from './text.ts'
