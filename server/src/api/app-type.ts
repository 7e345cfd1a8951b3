// Type-only entry for the dashboard's typed client (`hc<AppType>`); it imports no server code at runtime.
export type { ApiApp as AppType } from './app.ts'
