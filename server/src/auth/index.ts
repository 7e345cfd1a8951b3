export * from './bootstrap.ts'
export * from './keys.ts'
export * from './secrets.ts'
export * from './sessions.ts'
