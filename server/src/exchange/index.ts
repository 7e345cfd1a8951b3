export * from './record.ts'
export * from './score.ts'
export * from './score-record.ts'
export * from './scorer-input.ts'
