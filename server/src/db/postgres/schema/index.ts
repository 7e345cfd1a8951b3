export * from './projects.ts'
export * from './users.ts'
