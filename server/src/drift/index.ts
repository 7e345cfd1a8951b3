export * from './baseline.ts'
export * from './guard.ts'
export * from './signals.ts'
export * from './stats.ts'
