import fs from 'node:fs'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CHILD_ADMIN_TOKEN,
  CHILD_PROJECT_KEY,
  type LeashProcess,
  startLeashProcess,
} from '../support/leash-process.ts'
import {
  createThrowawayPostgres,
  postgresBinDir,
  type ThrowawayPostgres,
} from '../support/throwaway-postgres.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const bin = postgresBinDir()
if (!bin)
  console.warn('reliability-postgres: SKIPPED, no PostgreSQL server binaries under /usr/lib/postgresql')

async function api(
  leash: LeashProcess,
  path: string,
): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now()
  const res = await fetch(`${leash.url}${path}`, {
    headers: { authorization: `Bearer ${CHILD_ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(10_000),
  })
  const body = (await res.json()) as unknown
  return { status: res.status, body, ms: performance.now() - t0 }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Issue 11, item 1: PostgreSQL going away (fast or immediate stop) never stops the gateway. */
describe.skipIf(!bin)('PostgreSQL outage', () => {
  let pg: ThrowawayPostgres
  let upstream: TestUpstream
  let leash: LeashProcess
  beforeAll(async () => {
    pg = await createThrowawayPostgres(bin as string)
    await pg.start()
    upstream = await startTestUpstream()
    leash = await startLeashProcess({
      env: {
        DATABASE_URL: pg.url,
        LEASH_UPSTREAM_URL: `${upstream.baseUrl}`,
        LEASH_UPSTREAM_API_KEY: 'sk-up',
      },
    })
  }, 120_000)
  afterAll(async () => {
    if (leash && !leash.gone()) {
      leash.child.kill('SIGKILL')
      await leash.exited
    }
    await upstream?.close()
    await pg?.destroy()
    if (leash) fs.rmSync(leash.dataDir, { recursive: true, force: true })
  })

  it('keeps proxying, answers 503 storage_unavailable fast, and recovers, across repeated stops', async () => {
    const client = new OpenAI({ apiKey: CHILD_PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const call = async () =>
      (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }))
        .choices[0]?.message.content
    expect(await call()).toContain('Hello')
    expect((await api(leash, '/api/projects')).status).toBe(200)

    const modes = ['fast', 'immediate', 'immediate', 'fast', 'immediate'] as const
    let calls = 0
    for (const mode of modes) {
      await pg.stop(mode)
      const until = Date.now() + 3_000
      let saw503 = false
      while (Date.now() < until) {
        expect(await call()).toContain('Hello')
        calls++
        const r = await api(leash, '/api/projects')
        expect(r.ms).toBeLessThan(2_000)
        expect(r.status).toBe(503)
        expect(r.body).toMatchObject({ error: { code: 'storage_unavailable' } })
        expect(JSON.stringify(r.body)).toContain('PostgreSQL')
        saw503 = true
        await sleep(100)
      }
      expect(saw503).toBe(true)
      expect(leash.gone()).toBe(false)
      await pg.start()
      const back = Date.now() + 20_000
      let status = 0
      while (Date.now() < back && status !== 200) {
        status = (await api(leash, '/api/projects')).status
        if (status !== 200) await sleep(200)
      }
      expect(status).toBe(200)
      expect(await call()).toContain('Hello')
    }
    expect(calls).toBeGreaterThan(10)
    // Idle while the server goes away (no call, no API request): the process must not die either.
    await pg.stop('fast')
    await sleep(5_000)
    expect(leash.gone()).toBe(false)
    await pg.start()
    const back = Date.now() + 20_000
    while (Date.now() < back && (await api(leash, '/api/projects')).status !== 200) await sleep(200)
    expect((await api(leash, '/api/projects')).status).toBe(200)
    expect(leash.log()).toMatch(/PostgreSQL .* is unreachable/)
    expect(leash.log()).toMatch(/PostgreSQL .* is reachable again/)
    leash.child.kill('SIGTERM')
    expect(await leash.exited).toEqual({ code: 0, signal: null })
  }, 240_000)
})
