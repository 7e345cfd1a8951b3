import OpenAI from 'openai'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, eventually, startTestLeash, TEST_DATABASE_URL, type TestLeash } from '../support/leash.ts'
import { type LeashProcess, startLeashProcess } from '../support/leash-process.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const SECRET = 'replicas-share-this-secret-0123456789'

async function chat(url: string, apiKey: string): Promise<number> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 })
  return client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .then(
      () => 200,
      (e: { status?: number }) => e.status ?? 0,
    )
}

/**
 * Two real Leash servers on one PostgreSQL: A in this process, B (same LEASH_SECRET) and C (another
 * secret) as child processes, each with its own data folder and embedded ClickHouse.
 */
describe.skipIf(!TEST_DATABASE_URL)('replicas on one PostgreSQL (needs LEASH_TEST_DATABASE_URL)', () => {
  let a: TestLeash
  let b: LeashProcess
  let c: LeashProcess
  let upstream: TestUpstream
  let dropDatabase = async () => {}
  beforeAll(async () => {
    upstream = await startTestUpstream()
    const LEASH_UPSTREAM_URL = upstream.baseUrl
    const name = `leash_replicas_${process.pid}_${Date.now()}`
    const admin = postgres(TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
    const u = new URL(TEST_DATABASE_URL as string)
    u.pathname = `/${name}`
    const DATABASE_URL = u.toString()
    a = await startTestLeash({
      mode: 'embedded',
      upstreamUrl: upstream.baseUrl,
      env: { DATABASE_URL, LEASH_SECRET: SECRET },
    })
    ;[b, c] = await Promise.all([
      startLeashProcess({ env: { DATABASE_URL, LEASH_UPSTREAM_URL, LEASH_SECRET: SECRET } }),
      startLeashProcess({
        env: { DATABASE_URL, LEASH_UPSTREAM_URL, LEASH_SECRET: 'another-secret-0123456789abcdef' },
      }),
    ])
  }, 240_000)
  afterAll(async () => {
    for (const p of [b, c]) if (p && !p.gone()) p.child.kill('SIGKILL')
    await Promise.all([b?.exited, c?.exited])
    await a?.stop()
    await dropDatabase()
    await upstream?.close()
  })

  it('a key created on A works on B (same LEASH_SECRET), not on C (another secret); revoked on A, B refuses it within 5 s', async () => {
    const created = await api<{ id: string; key: string }>(a, '/api/projects/default/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'replicated' }),
    })
    expect(created.status).toBe(201)
    const key = created.body.key
    expect(await chat(a.url, key)).toBe(200)
    expect(await chat(b.url, key)).toBe(200)
    expect(await chat(c.url, key)).toBe(401)

    const revoked = await api(a, `/api/projects/default/keys/${created.body.id}`, { method: 'DELETE' })
    expect(revoked.status).toBe(204)
    // Polled with a 5 s deadline: `eventually` throws if B still answers 200 by then.
    await eventually(async () => ((await chat(b.url, key)) === 401 ? true : undefined), 5_000, 100)
    expect(await chat(a.url, key)).toBe(401)
  }, 60_000)
})
