import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPostgres, type Postgres, projects } from '../../src/db/postgres/index.ts'
import { LeashError } from '../../src/errors.ts'
import {
  createSettingsCache,
  getProjectSettings,
  type SettingsCache,
  updateProjectSettings,
} from '../../src/projects/settings.ts'

let dir: string
let pg: Postgres
let projectId: string
let cache: SettingsCache
const logs: string[] = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-settings-'))
  pg = await openPostgres({ dataDir: dir })
  await pg.migrate()
  const [row] = await pg.db.insert(projects).values({ slug: 'acme', name: 'Acme' }).returning()
  projectId = row?.id ?? ''
  cache = createSettingsCache(pg.db, { log: (level, msg) => logs.push(`${level} ${msg}`), refreshMs: 50 })
  await cache.warm()
})
afterAll(async () => {
  cache.close()
  await pg.close().catch(() => undefined)
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('project settings', () => {
  it('serves defaults for a fresh project, from memory', async () => {
    const s = cache.get(projectId)
    expect(s.routes).toEqual([])
    expect(s.redaction.enabled).toBe(false)
    expect(await getProjectSettings({ ctx: { db: pg.db }, input: { projectId: projectId } })).toEqual(s)
  })

  it('validates and stores an update, merging top-level fields, and the cache follows', async () => {
    await updateProjectSettings({
      ctx: { db: pg.db },
      input: { projectId, patch: { redaction: { enabled: true } } },
    })
    const stored = await updateProjectSettings({
      ctx: { db: pg.db },
      input: { projectId, patch: { prices: { 'my-model': { input: 1, output: 2 } } } },
    })
    expect(stored.redaction).toEqual({ enabled: true, kinds: ['email', 'phone', 'card', 'api_key'] })
    expect(stored.prices).toEqual({ 'my-model': { input: 1, output: 2 } })
    await cache.invalidate(projectId)
    const s = cache.get(projectId)
    expect(s.redaction.enabled).toBe(true)
    // An unchanged project keeps its settings object across refreshes (caches key on it).
    await new Promise((r) => setTimeout(r, 150))
    expect(cache.get(projectId)).toBe(s)
  })

  it('rejects invalid settings with the field path, and leaves the stored ones alone', async () => {
    const err = await updateProjectSettings({
      ctx: { db: pg.db },
      input: {
        projectId,
        patch: {
          routes: [{ name: 'r', models: ['gpt-*'], upstreams: [{ name: 'u', baseUrl: 'not a url' }] }],
        },
      },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LeashError)
    expect((err as LeashError).code).toBe('bad_request')
    expect((err as LeashError).message).toMatch(/^settings\.routes\.0\.upstreams\.0\.baseUrl: /)
    expect(
      (await getProjectSettings({ ctx: { db: pg.db }, input: { projectId: projectId } })).routes,
    ).toEqual([])
    await expect(
      updateProjectSettings({ ctx: { db: pg.db }, input: { projectId, patch: [1, 2] } }),
    ).rejects.toThrow(/JSON object/)
    await expect(
      getProjectSettings({
        ctx: { db: pg.db },
        input: { projectId: '00000000-0000-4000-8000-000000000000' },
      }),
    ).rejects.toThrow(/not found/)
  })

  it('keeps serving the last good settings and logs when Postgres fails', async () => {
    const before = cache.get(projectId)
    await pg.close()
    await new Promise((r) => setTimeout(r, 200))
    expect(cache.get(projectId)).toBe(before)
    expect(logs.some((l) => l.startsWith('warn project settings refresh failed'))).toBe(true)
  })
})
