import { createHash, createHmac } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerSecret } from '../../src/auth/index.ts'
import { apiTokens, projectKeys, users } from '../../src/db/postgres/index.ts'
import { api, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { CHILD_ADMIN_TOKEN, type LeashProcess, startLeashProcess } from '../support/leash-process.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex')
const hmac = (secret: string, v: string) => `h1:${createHmac('sha256', secret).update(v).digest('hex')}`
const mode = (file: string) => fs.statSync(file).mode & 0o777

let upstream: TestUpstream
beforeAll(async () => {
  upstream = await startTestUpstream()
})
afterAll(async () => {
  await upstream?.close()
})

async function chat(url: string, apiKey: string): Promise<number> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 })
  return client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .then(
      () => 200,
      (e: { status?: number }) => e.status ?? 0,
    )
}

describe('server secret', () => {
  it('is generated once into <data dir>/secret with mode 0600 and reused; LEASH_SECRET wins and writes nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-secret-'))
    try {
      const first = loadServerSecret(undefined, dir)
      expect(first.length).toBeGreaterThanOrEqual(32)
      expect(mode(path.join(dir, 'secret'))).toBe(0o600)
      expect(loadServerSecret(undefined, dir)).toBe(first)
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-secret-'))
      expect(loadServerSecret(undefined, other)).not.toBe(first)
      expect(loadServerSecret('from-the-environment-0123', other)).toBe('from-the-environment-0123')
      fs.rmSync(other, { recursive: true, force: true })
      const envOnly = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-secret-'))
      loadServerSecret('from-the-environment-0123', envOnly)
      expect(fs.existsSync(path.join(envOnly, 'secret'))).toBe(false)
      fs.rmSync(envOnly, { recursive: true, force: true })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('keyed hashes of keys and admin tokens', () => {
  let leash: TestLeash
  let secret: string
  beforeAll(async () => {
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: upstream.baseUrl })
    const file = path.join(leash.dataDir, 'secret')
    expect(mode(file)).toBe(0o600)
    secret = fs.readFileSync(file, 'utf8').trim()
  }, 120_000)
  afterAll(async () => {
    await leash?.stop()
  })

  it('stores a created key and the seeded key as HMAC-SHA256 with the server secret, not SHA-256', async () => {
    const created = await api<{ id: string; key: string }>(leash, '/api/projects/default/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'keyed' }),
    })
    expect(created.status).toBe(201)
    const [row] = await leash.postgres.db
      .select()
      .from(projectKeys)
      .where(eq(projectKeys.id, created.body.id))
    expect(row?.keyHash).not.toBe(sha256(created.body.key))
    expect(row?.keyHash).toBe(hmac(secret, created.body.key))
    const seeded = await leash.postgres.db
      .select()
      .from(projectKeys)
      .where(eq(projectKeys.keyHash, hmac(secret, PROJECT_KEY)))
    expect(seeded).toHaveLength(1)
    expect(await chat(leash.url, created.body.key)).toBe(200)

    const token = await api<{ id: string; token: string }>(leash, '/api/projects/default/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'keyed', role: 'viewer' }),
    })
    expect(token.status).toBe(201)
    const [t] = await leash.postgres.db.select().from(apiTokens).where(eq(apiTokens.id, token.body.id))
    expect(t?.tokenHash).toBe(hmac(secret, token.body.token))
  })

  it('still accepts a legacy SHA-256 key and admin token, and rewrites each to the keyed hash on first use', async () => {
    const db = leash.postgres.db
    const legacyKey = 'lsk_legacy_sha256_key_0123456789'
    const legacyToken = 'lat_legacy_sha256_token_0123456789'
    const [{ projectId } = { projectId: '' }] = await db
      .select({ projectId: projectKeys.projectId })
      .from(projectKeys)
      .limit(1)
    const [admin] = await db.select().from(users).where(eq(users.role, 'admin')).limit(1)
    await db
      .insert(projectKeys)
      .values({ projectId, name: 'legacy', keyHash: sha256(legacyKey), prefix: legacyKey.slice(0, 8) })
    await db
      .insert(apiTokens)
      .values({ userId: admin?.id as string, name: 'legacy', tokenHash: sha256(legacyToken) })

    expect(await chat(leash.url, 'lsk_never_issued_key_0123456789')).toBe(401)
    expect(await chat(leash.url, legacyKey)).toBe(200)
    const keyRows = await db.select().from(projectKeys).where(eq(projectKeys.name, 'legacy'))
    expect(keyRows.map((r) => r.keyHash)).toEqual([hmac(secret, legacyKey)])
    expect(await chat(leash.url, legacyKey)).toBe(200)

    const res = await fetch(`${leash.url}/api/projects`, {
      headers: { authorization: `Bearer ${legacyToken}` },
    })
    expect(res.status).toBe(200)
    const tokenRows = await db.select().from(apiTokens).where(eq(apiTokens.name, 'legacy'))
    expect(tokenRows.map((r) => r.tokenHash)).toEqual([hmac(secret, legacyToken)])
    const again = await fetch(`${leash.url}/api/projects`, {
      headers: { authorization: `Bearer ${legacyToken}` },
    })
    expect(again.status).toBe(200)
  })
})

describe('the generated secret across restarts', () => {
  const running: LeashProcess[] = []
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-restart-'))
  afterAll(async () => {
    for (const r of running) if (!r.gone()) r.child.kill('SIGKILL')
    fs.rmSync(dataDir, { recursive: true, force: true })
  })
  async function run(env: Record<string, string>): Promise<LeashProcess> {
    const p = await startLeashProcess({ env: { LEASH_UPSTREAM_URL: upstream.baseUrl, ...env }, dataDir })
    running.push(p)
    return p
  }
  async function stop(p: LeashProcess): Promise<void> {
    p.child.kill('SIGTERM')
    await p.exited
  }

  it('is reused on restart (a key keeps working) and a different LEASH_SECRET does not accept its hashes', async () => {
    const first = await run({})
    const file = path.join(dataDir, 'secret')
    const secret = fs.readFileSync(file, 'utf8')
    expect(mode(file)).toBe(0o600)
    const res = await fetch(`${first.url}/api/projects/default/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CHILD_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'survives' }),
    })
    expect(res.status).toBe(201)
    const { key } = (await res.json()) as { key: string }
    expect(await chat(first.url, key)).toBe(200)
    await stop(first)

    const second = await run({})
    expect(fs.readFileSync(file, 'utf8')).toBe(secret)
    expect(mode(file)).toBe(0o600)
    expect(await chat(second.url, key)).toBe(200)
    await stop(second)

    const other = await run({ LEASH_SECRET: 'a-different-server-secret-0123456789' })
    expect(await chat(other.url, key)).toBe(401)
    await stop(other)
  }, 300_000)
})
