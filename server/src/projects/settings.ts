import { ProjectSettings } from '@leash/shared'
import { eq } from 'drizzle-orm'
import type { z } from 'zod'
import { type Db, projects } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'
import type { Logger } from '../log.ts'

const DEFAULTS: ProjectSettings = ProjectSettings.parse({})
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function invalidSettings(error: z.core.$ZodError): LeashError {
  const issue = error.issues[0]
  const where = issue?.path.length ? `settings.${issue.path.join('.')}: ` : 'settings: '
  return new LeashError('bad_request', `${where}${issue?.message ?? 'invalid settings'}`)
}

export async function getProjectSettings({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string }
}): Promise<ProjectSettings> {
  const { db } = ctx
  const { projectId } = input
  const [row] = await db
    .select({ settings: projects.settings })
    .from(projects)
    .where(eq(projects.id, projectId))
    .limit(1)
  if (!row) throw new LeashError('not_found', `project '${projectId}' not found`)
  const parsed = ProjectSettings.safeParse(row.settings ?? {})
  if (!parsed.success) throw new LeashError('internal', 'stored project settings are invalid')
  return parsed.data
}

/**
 * Merges `patch` over the stored settings at the top level (a PUT of the whole object replaces them),
 * validates the result with `ProjectSettings` and stores it with every default filled in.
 */
export async function updateProjectSettings({
  ctx,
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string; patch: unknown }
}): Promise<ProjectSettings> {
  const { db } = ctx
  const { projectId, patch } = input
  if (!isObject(patch)) throw new LeashError('bad_request', 'settings must be a JSON object')
  const current = await getProjectSettings({ ctx, input: { projectId } })
  const parsed = ProjectSettings.safeParse({ ...current, ...patch })
  if (!parsed.success) throw invalidSettings(parsed.error)
  await db.update(projects).set({ settings: parsed.data }).where(eq(projects.id, projectId))
  return parsed.data
}

export interface SettingsCache {
  /** From memory, never waits: the last good value, or the defaults for a project not loaded yet. */
  get(projectId: string): ProjectSettings
  /** Reloads one project now (after an update through the API). */
  invalidate(projectId: string): Promise<void>
  /** Loads every project; starts the background refresh. */
  warm(): Promise<void>
  close(): void
}

/**
 * Project settings for the gateway's hot path. Refreshed in the background every `refreshMs`; a
 * Postgres failure keeps the last good values and logs. An unchanged project keeps its settings
 * object, so caches keyed on it (compiled routes, price lookups) stay warm.
 */
export function createSettingsCache(db: Db, opts: { log: Logger; refreshMs?: number }): SettingsCache {
  const refreshMs = opts.refreshMs ?? 5_000
  const cache = new Map<string, { text: string; settings: ProjectSettings }>()
  const pending = new Set<string>()
  let timer: NodeJS.Timeout | undefined

  function store(id: string, raw: unknown): void {
    const text = JSON.stringify(raw ?? {})
    if (cache.get(id)?.text === text) return
    const parsed = ProjectSettings.safeParse(raw ?? {})
    if (!parsed.success) {
      opts.log('error', 'project settings are invalid; keeping the last good ones', {
        projectId: id,
        issue: parsed.error.issues[0]?.message,
      })
      return
    }
    cache.set(id, { text, settings: parsed.data })
  }

  async function loadAll(): Promise<void> {
    const rows = await db.select({ id: projects.id, settings: projects.settings }).from(projects)
    const seen = new Set<string>()
    for (const r of rows) {
      seen.add(r.id)
      store(r.id, r.settings)
    }
    for (const id of cache.keys()) if (!seen.has(id)) cache.delete(id)
  }

  async function loadOne(id: string): Promise<void> {
    const rows = await db
      .select({ settings: projects.settings })
      .from(projects)
      .where(eq(projects.id, id))
      .limit(1)
    if (rows[0]) store(id, rows[0].settings)
    else cache.delete(id)
  }

  const failed = (what: string) => (err: unknown) =>
    opts.log('warn', `project settings ${what} failed; serving the last good settings`, {
      error: err instanceof Error ? err.message : String(err),
    })

  return {
    get(projectId) {
      const hit = cache.get(projectId)
      if (hit) return hit.settings
      if (!pending.has(projectId)) {
        pending.add(projectId)
        loadOne(projectId)
          .catch(failed('load'))
          .finally(() => pending.delete(projectId))
      }
      return DEFAULTS
    },
    async invalidate(projectId) {
      await loadOne(projectId)
    },
    async warm() {
      await loadAll()
      timer ??= setInterval(() => loadAll().catch(failed('refresh')), refreshMs)
      timer.unref()
    },
    close() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}
