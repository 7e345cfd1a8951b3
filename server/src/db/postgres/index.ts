export * from './client.ts'
export * from './health.ts'
export * from './schema/index.ts'
