import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { loadConfig } from '../../src/config.ts'
import { type Leash, startLeash } from '../../src/leash.ts'
import type { Logger } from '../../src/log.ts'

export const PROJECT_KEY = 'lsk_test_project_key_0123456789'
export const ADMIN_TOKEN = 'lat_test_admin_token_0123456789'
export const ADMIN_PASSWORD = 'test-password-123'

export type StoreMode = 'embedded' | 'postgres'

/** Postgres server for the `postgres` mode; CI sets it (see .ci/run). */
export const TEST_DATABASE_URL = process.env.LEASH_TEST_DATABASE_URL

export interface TestLeash extends Leash {
  dataDir: string
  logs: string[]
  stop(): Promise<void>
}

/**
 * A whole Leash in this process on a fresh data folder (and, in `postgres` mode, a fresh database
 * on the test server, dropped afterwards), seeded with fixed credentials.
 */
export async function startTestLeash(opts: {
  mode: StoreMode
  upstreamUrl?: string
  env?: Record<string, string>
}): Promise<TestLeash> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-test-'))
  let databaseUrl: string | undefined
  let dropDatabase = async () => {}
  if (opts.mode === 'postgres') {
    if (!TEST_DATABASE_URL) throw new Error('LEASH_TEST_DATABASE_URL is not set')
    const name = `leash_test_${process.pid}_${Date.now()}`
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    const u = new URL(TEST_DATABASE_URL)
    u.pathname = `/${name}`
    databaseUrl = u.toString()
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  }
  const config = loadConfig({
    PORT: '0',
    LEASH_DATA_DIR: dataDir,
    LEASH_PROJECT_KEY: PROJECT_KEY,
    LEASH_ADMIN_TOKEN: ADMIN_TOKEN,
    LEASH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LEASH_UPSTREAM_URL: opts.upstreamUrl,
    LEASH_UPSTREAM_API_KEY: opts.upstreamUrl ? 'sk-upstream-secret' : undefined,
    DATABASE_URL: databaseUrl,
    ...opts.env,
  })
  const logs: string[] = []
  const log: Logger = (level, msg, fields) =>
    logs.push(`${level} ${msg} ${fields ? JSON.stringify(fields) : ''}`)
  const leash = await startLeash(config, log)
  return {
    ...leash,
    dataDir,
    logs,
    async stop() {
      await leash.close()
      await dropDatabase()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Polls until `fn` returns a value or the deadline passes; the last error is rethrown. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 5_000,
  stepMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) throw lastError ?? new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, stepMs))
  }
}

export async function api<T>(
  leash: { url: string },
  pathAndQuery: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${leash.url}${pathAndQuery}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers },
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
}
