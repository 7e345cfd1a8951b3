import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeyResolver } from '../../src/auth/index.ts'
import { ADMIN_PASSWORD, api, eventually, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

let leash: TestLeash
let upstream: TestUpstream
const PASSWORD = 'access-test-password-1'

/** Logs in from `ip` (the test Leash trusts X-Forwarded-For, as behind a proxy). */
async function login(email: string, password: string, ip: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${leash.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
    body: JSON.stringify({ email, password }),
  })
  await res.arrayBuffer()
  return res
}

async function newUser(email: string, projects: { project: string; role: string }[] = []) {
  const made = await api<{ id: string }>(leash, '/api/users', {
    method: 'POST',
    body: JSON.stringify({ email, password: PASSWORD, projects }),
  })
  expect(made.status).toBe(201)
  return made.body.id
}

beforeAll(async () => {
  upstream = await startTestUpstream()
  leash = await startTestLeash({
    mode: 'embedded',
    upstreamUrl: upstream.baseUrl,
    env: { LEASH_ALERTS_ENABLED: 'false', LEASH_TRUST_PROXY: 'true' },
  })
}, 120_000)
afterAll(async () => {
  await leash?.stop()
  await upstream?.close()
})

describe('login', () => {
  it('locks an account after 5 wrong passwords, even for the right one, until an owner lifts it', async () => {
    const id = await newUser('locked@example.com')
    for (let i = 0; i < 5; i++)
      expect((await login('locked@example.com', 'wrong', `10.1.0.${i}`)).status).toBe(401)
    const refused = await login('locked@example.com', PASSWORD, '10.1.0.99')
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await api(leash, `/api/users/${id}/lockout`, { method: 'DELETE' })).status).toBe(204)
    expect((await login('locked@example.com', PASSWORD, '10.1.0.99')).status).toBe(200)
  })

  it('limits failures per client address across accounts', async () => {
    await newUser('victim@example.com')
    for (let i = 0; i < 20; i++)
      expect((await login(`nobody${i}@example.com`, 'x', '10.2.0.1')).status).toBe(401)
    expect((await login('victim@example.com', PASSWORD, '10.2.0.1')).status).toBe(429)
    expect((await login('victim@example.com', PASSWORD, '10.2.0.2')).status).toBe(200)
  })

  it('answers a known and an unknown email in about the same time (one scrypt either way)', async () => {
    await newUser('timed@example.com')
    const time = async (email: string, ip: string) => {
      const t0 = performance.now()
      expect((await login(email, 'wrong-password', ip)).status).toBe(401)
      return performance.now() - t0
    }
    const known: number[] = []
    const unknown: number[] = []
    for (let i = 0; i < 5; i++) {
      known.push(await time('timed@example.com', `10.3.0.${i}`))
      unknown.push(await time(`ghost${i}@example.com`, `10.3.1.${i}`))
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
    // Before the dummy hash the ratio was ~19 (38 ms vs 2 ms); a ratio, not an absolute time.
    const ratio = median(known) / median(unknown)
    expect(ratio).toBeGreaterThan(1 / 3)
    expect(ratio).toBeLessThan(3)
  })

  it('sets the session cookie HttpOnly, SameSite=Strict, and Secure only over TLS', async () => {
    const plain = await login('admin@leash.local', ADMIN_PASSWORD, '10.4.0.1')
    expect(plain.headers.get('set-cookie')).toMatch(/HttpOnly/i)
    expect(plain.headers.get('set-cookie')).toMatch(/SameSite=Strict/i)
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/i)
    const tls = await login('admin@leash.local', ADMIN_PASSWORD, '10.4.0.1', { 'x-forwarded-proto': 'https' })
    expect(tls.headers.get('set-cookie')).toMatch(/; Secure/i)
  })
})

describe('security headers', () => {
  it('sends CSP without inline scripts, frame-ancestors none, nosniff and a referrer policy', async () => {
    for (const p of ['/', '/api/auth/me', '/api/nowhere']) {
      const res = await fetch(`${leash.url}${p}`)
      await res.arrayBuffer()
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
      expect(csp).toContain("frame-ancestors 'none'")
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('same-origin')
    }
  })
})

describe('projects, keys and the audit log', () => {
  it('masks secrets by default in a new project, and a project can opt out', async () => {
    const made = await api<{ slug: string }>(leash, '/api/projects', {
      method: 'POST',
      body: JSON.stringify({ slug: 'fresh', name: 'Fresh' }),
    })
    expect(made.status).toBe(201)
    for (const slug of ['default', 'fresh']) {
      const s = await api<{ settings: { redaction: { enabled: boolean } } }>(
        leash,
        `/api/projects/${slug}/settings`,
      )
      expect(s.body.settings.redaction.enabled).toBe(true)
    }
    const off = await api<{ settings: { redaction: { enabled: boolean } } }>(
      leash,
      '/api/projects/fresh/settings',
      {
        method: 'PUT',
        body: JSON.stringify({ redaction: { enabled: false } }),
      },
    )
    expect(off.body.settings.redaction.enabled).toBe(false)
  })

  it('creates a key shown once, lists it with its creator and last use, and revokes it on every replica within 5 s', async () => {
    const created = await api<{ id: string; key: string }>(leash, '/api/projects/default/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'ci' }),
    })
    expect(created.status).toBe(201)
    const client = new OpenAI({ baseURL: `${leash.url}/v1`, apiKey: created.body.key, maxRetries: 0 })
    const answer = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(answer.choices[0]?.message.content).toContain('hi')
    // A second replica: its own cache over the same Postgres.
    const replica = createKeyResolver(leash.postgres.db, () => {})
    await replica.warm()
    expect(await replica.resolve(created.body.key)).not.toBeNull()
    const listed = await eventually(async () => {
      const l = await api<{
        items: { id: string; createdBy: string; lastUsedAt: string | null; prefix: string }[]
      }>(leash, '/api/projects/default/keys')
      const k = l.body.items.find((i) => i.id === created.body.id)
      return k?.lastUsedAt ? { k, raw: JSON.stringify(l.body) } : undefined
    })
    expect(listed.k.createdBy).toBe('admin@leash.local')
    expect(listed.raw).not.toContain(created.body.key)

    expect(
      (await api(leash, `/api/projects/default/keys/${created.body.id}`, { method: 'DELETE' })).status,
    ).toBe(204)
    const revokedAt = Date.now()
    await eventually(async () => {
      const status = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
        .then(
          () => 200,
          (e: { status?: number }) => e.status,
        )
      return status === 401 ? true : undefined
    }, 5_000)
    await eventually(
      async () => ((await replica.resolve(created.body.key)) === null ? true : undefined),
      5_000,
    )
    expect(Date.now() - revokedAt).toBeLessThan(5_000)
    replica.close()
  })

  it('scopes an admin API token to its project and role', async () => {
    const made = await api<{ token: string }>(leash, '/api/projects/default/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'read-only', role: 'viewer' }),
    })
    expect(made.status).toBe(201)
    const as = { authorization: `Bearer ${made.body.token}` }
    expect((await api(leash, '/api/alerts?project=default', { headers: as })).status).toBe(200)
    expect((await api(leash, '/api/alerts?project=fresh', { headers: as })).status).toBe(404)
    expect((await api(leash, '/api/projects/default/keys', { headers: as })).status).toBe(403)
    expect((await api(leash, '/api/users', { headers: as })).status).toBe(403)
  })

  it('records who did what, when and from where, readable by project admins', async () => {
    await newUser('projadmin@example.com', [{ project: 'default', role: 'admin' }])
    const cookie =
      (await login('projadmin@example.com', PASSWORD, '10.9.9.9')).headers.get('set-cookie')?.split(';')[0] ??
      ''
    const made = await fetch(`${leash.url}/api/projects/default/keys`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9' },
      body: JSON.stringify({ name: 'by project admin' }),
    })
    expect(made.status).toBe(201)
    const log = await fetch(`${leash.url}/api/projects/default/audit`, { headers: { cookie } })
    expect(log.status).toBe(200)
    const { items } = (await log.json()) as {
      items: { actor: string; action: string; ip: string; at: string; status: number }[]
    }
    expect(items[0]).toMatchObject({
      actor: 'projadmin@example.com',
      action: 'POST /api/projects/:project/keys',
      ip: '10.9.9.9',
      status: 201,
    })
    expect(
      items.some(
        (i) => i.action === 'DELETE /api/projects/:project/keys/:id' && i.actor === 'admin@leash.local',
      ),
    ).toBe(true)
    expect((await fetch(`${leash.url}/api/audit`, { headers: { cookie } })).status).toBe(403)
  })

  it('lets the owner delete a project, but never the last one', async () => {
    const made = await api(leash, '/api/projects', {
      method: 'POST',
      body: JSON.stringify({ slug: 'gone', name: 'Gone' }),
    })
    expect(made.status).toBe(201)
    expect((await api(leash, '/api/projects/gone', { method: 'DELETE' })).status).toBe(204)
    expect((await api(leash, '/api/projects/gone/settings')).status).toBe(404)
    const { body } = await api<{ items: { slug: string }[] }>(leash, '/api/projects')
    expect(body.items.map((p) => p.slug)).not.toContain('gone')
    expect((await api(leash, '/api/projects/fresh', { method: 'DELETE' })).status).toBe(204)
    expect((await api(leash, '/api/projects/default', { method: 'DELETE' })).status).toBe(400)
  })
})
