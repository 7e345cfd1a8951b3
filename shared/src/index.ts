export * from './alerts.ts'
export * from './api.ts'
export * from './metrics.ts'
export * from './settings.ts'
