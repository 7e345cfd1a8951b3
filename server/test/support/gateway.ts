import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ProjectSettings, type ProjectSettingsInput } from '@leash/shared'
import { APIError } from 'openai'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { createGateway, type Gateway } from '../../src/gateway/index.ts'

export const PROJECT_KEY = 'lsh_test_project_key_0123456789'
export const UPSTREAM_KEY = 'sk-upstream-secret-key'
export const PROJECT_ID = 'proj_1'

export interface RunningGateway {
  gateway: Gateway
  server: Server
  base: string
  records: ExchangeRecord[]
  logs: string[]
  /** Replaces the project's settings (as an update through the API would). */
  setSettings(input: ProjectSettingsInput): void
  /** The next record, waiting for it; clears the list. */
  nextRecord(): Promise<ExchangeRecord>
  stop(): Promise<void>
}

/**
 * The gateway alone on a loopback port, recording into an array; project settings come from a
 * plain map (the gateway reads them through its `SettingsSource` interface).
 */
export async function startGateway(opts: {
  upstreamBaseUrl: string
  timeoutMs?: number
  bodyLimitBytes?: number
  settings?: ProjectSettingsInput
  env?: Record<string, string>
  upstreamApiKey?: string | null
  /** Record batching window (the gateway's default is 0: next tick). */
}): Promise<RunningGateway> {
  const records: ExchangeRecord[] = []
  const logs: string[] = []
  let settings = ProjectSettings.parse(opts.settings ?? {})
  const keys = new Map([[PROJECT_KEY, { projectId: PROJECT_ID }]])
  const gateway = createGateway({
    upstream: {
      baseUrl: opts.upstreamBaseUrl,
      apiKey: opts.upstreamApiKey === null ? undefined : (opts.upstreamApiKey ?? UPSTREAM_KEY),
      name: 'test-upstream',
    },
    keys: { resolve: async (raw) => keys.get(raw) ?? null },
    sink: { record: (r) => records.push(r) },
    settings: { get: (id) => (id === PROJECT_ID ? settings : ProjectSettings.parse({})) },
    env: opts.env ?? {},
    bodyLimitBytes: opts.bodyLimitBytes ?? 64 * 1024,
    upstreamTimeoutMs: opts.timeoutMs ?? 400,
    log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
  })
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/')) return gateway.handle(req, res)
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    gateway,
    server,
    base,
    records,
    logs,
    setSettings(input) {
      settings = ProjectSettings.parse(input)
    },
    async nextRecord() {
      const r = await waitFor(() => records[0])
      records.shift()
      return r
    },
    async stop() {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await gateway.close()
    },
  }
}

export async function waitFor<T>(fn: () => T | undefined, ms = 3000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const noSuccess = (): never => {
  throw new Error('expected the call to fail')
}

export const asApiError = (e: unknown): APIError => {
  if (e instanceof APIError) return e
  throw e
}

export const chat = (content = 'hi there', model = 'gpt-test') => ({
  model,
  messages: [{ role: 'user' as const, content }],
})
