/** The lab's ML toolbox: serving's feature code plus what only training and evaluation need. */
export * from '../src/scoring/ml/index.js'
export * from './bundle.js'
export * from './metrics.js'
export * from './optim.js'
