/**
 * Leash's small ML core for serving: hashed sparse text features, linear scoring with Platt calibration,
 * seeded randomness and the weights-bundle reader. Training and metrics live in server/lab/.
 */
export * from './bundle.ts'
export * from './hash.ts'
export * from './logreg.ts'
export * from './rng.ts'
export * from './text.ts'
