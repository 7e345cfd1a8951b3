export * from './alerts.ts'
export * from './labels.ts'
export * from './projects.ts'
export * from './users.ts'
