/** The lab's ML toolbox: serving's feature code plus what only training and evaluation need. */
export * from '../src/scoring/ml/index.ts'
export * from './bundle.ts'
export * from './metrics.ts'
export * from './optim.ts'
