import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../../src/api/app.ts'
import { type Permission, permissionFor } from '../../src/auth/index.ts'
import { ADMIN_PASSWORD, api, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

/**
 * Every `/api` route, read from the app's own route table (Hono's `app.routes`), against every kind
 * of caller. A route added without a line in `ROUTE_PERMISSIONS` fails the first test.
 */
let leash: TestLeash
let routes: { method: string; path: string; permission: Permission | undefined }[]
const cookies: Record<string, string> = {}
const PASSWORD = 'route-table-password-1'
const RANDOM_ID = '00000000-0000-4000-8000-000000000001'

function apiFor(l: TestLeash) {
  return createApi({ db: l.postgres.db, ch: l.clickhouse, log: () => {}, secureCookies: false })
}

function tableOf(app: ReturnType<typeof createApi>) {
  const seen = new Map<string, { method: string; path: string; permission: Permission | undefined }>()
  for (const r of app.routes) {
    if (r.method === 'ALL') continue
    seen.set(`${r.method} ${r.path}`, {
      method: r.method,
      path: r.path,
      permission: permissionFor(r.method, r.path),
    })
  }
  return [...seen.values()]
}

async function login(email: string): Promise<string> {
  const res = await fetch(`${leash.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: email === 'admin@leash.local' ? ADMIN_PASSWORD : PASSWORD }),
  })
  expect(res.status).toBe(200)
  return res.headers.get('set-cookie')?.split(';')[0] ?? ''
}

/** Calls `route` about project `slug` as `auth` (a cookie or a bearer), with a plausible body. */
async function call(route: { method: string; path: string }, slug: string, auth: Record<string, string>) {
  const path = route.path.replace(':project', slug).replace(/:id\b/, RANDOM_ID)
  const init: RequestInit = { method: route.method, headers: { 'content-type': 'application/json', ...auth } }
  if (route.method !== 'GET') init.body = JSON.stringify({ project: slug })
  const res = await fetch(`${leash.url}${path}?project=${slug}`, init)
  await res.arrayBuffer()
  return res.status
}

const mutating = (r: { method: string }) => r.method !== 'GET'
const isRole = (p: Permission | undefined) => p === 'viewer' || p === 'operator' || p === 'admin'

beforeAll(async () => {
  leash = await startTestLeash({ mode: 'embedded', env: { LEASH_ALERTS_ENABLED: 'false' } })
  routes = tableOf(apiFor(leash))
  expect(
    (await api(leash, '/api/projects', { method: 'POST', body: JSON.stringify({ slug: 'b', name: 'B' }) }))
      .status,
  ).toBe(201)
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const email = `${role}@a.example`
    const made = await api(leash, '/api/users', {
      method: 'POST',
      body: JSON.stringify({ email, password: PASSWORD, projects: [{ project: 'default', role }] }),
    })
    expect(made.status).toBe(201)
    cookies[role] = await login(email)
  }
}, 120_000)
afterAll(async () => {
  await leash?.stop()
})

describe('the route table', () => {
  it('declares a permission for every API route, and refuses a route that has none', async () => {
    expect(routes.length).toBeGreaterThan(30)
    expect(routes.filter((r) => !r.permission).map((r) => `${r.method} ${r.path}`)).toEqual([])
    const app = apiFor(leash).get('/undeclared', (c) => c.json({ leaked: true }))
    const undeclared = tableOf(app).filter((r) => !r.permission)
    expect(undeclared.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/undeclared'])
    const res = await app.request('/api/undeclared', {
      headers: { authorization: 'Bearer lat_test_admin_token_0123456789' },
    })
    expect(res.status).toBe(500)
    expect(await res.text()).not.toContain('leaked')
  })

  it('gives an unauthenticated caller nothing', async () => {
    for (const r of routes.filter((r) => r.permission !== 'public')) {
      expect([r.method, r.path, await call(r, 'default', {})]).toEqual([r.method, r.path, 401])
    }
  })

  it('lets a viewer read its project and change nothing', async () => {
    const auth = { cookie: cookies.viewer as string }
    for (const r of routes.filter((r) => r.permission !== 'public' && r.permission !== 'key')) {
      const status = await call(r, 'default', auth)
      if (mutating(r)) expect([r.method, r.path, status]).toEqual([r.method, r.path, 403])
      else if (r.permission === 'viewer' || r.permission === 'login')
        expect([r.method, r.path, status === 401 || status === 403]).toEqual([r.method, r.path, false])
      else expect([r.method, r.path, status]).toEqual([r.method, r.path, 403])
    }
  })

  it('lets an operator act on alerts but not on keys, rules, channels, settings or members', async () => {
    const auth = { cookie: cookies.operator as string }
    for (const r of routes.filter((r) => mutating(r) && isRole(r.permission))) {
      const status = await call(r, 'default', auth)
      if (r.path.startsWith('/api/alerts/')) expect([r.path, status]).not.toEqual([r.path, 403])
      else expect([r.method, r.path, status]).toEqual([r.method, r.path, 403])
    }
  })

  it('lets a user of project A read or change nothing of project B', async () => {
    const auth = { cookie: cookies.admin as string }
    for (const r of routes.filter((r) => isRole(r.permission) || r.permission === 'owner')) {
      const status = await call(r, 'b', auth)
      expect([r.method, r.path, status < 300]).toEqual([r.method, r.path, false])
      // Refused (403/404), or bad input (400) before the project is looked at: never data.
      expect([r.method, r.path, [400, 403, 404].includes(status)]).toEqual([r.method, r.path, true])
    }
    const list = await fetch(`${leash.url}/api/projects`, { headers: auth })
    const slugs = ((await list.json()) as { items: { slug: string }[] }).items.map((p) => p.slug)
    expect(slugs).toEqual(['default'])
  })

  it('lets a project key reach only the key routes (feedback, ingest, labels), for its own project', async () => {
    const auth = { authorization: `Bearer ${PROJECT_KEY}` }
    for (const r of routes.filter((r) => r.permission !== 'public')) {
      const status = await call(r, 'default', auth)
      if (r.permission === 'key') expect([r.path, status]).not.toEqual([r.path, 401])
      else expect([r.method, r.path, status]).toEqual([r.method, r.path, 401])
    }
  })
})
