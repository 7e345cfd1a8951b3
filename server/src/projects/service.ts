import type { Project } from '@leash/shared'
import { asc, eq } from 'drizzle-orm'
import type { Principal } from '../auth/index.ts'
import { type Db, projects } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export async function listProjects({
  ctx: { db },
  input: { principal },
}: {
  ctx: { db: Db }
  input: { principal: Principal }
}): Promise<Project[]> {
  if (principal.role !== 'admin') return []
  const rows = await db.select().from(projects).orderBy(asc(projects.createdAt))
  return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, createdAt: r.createdAt.toISOString() }))
}

/**
 * Resolves the project a request is about (by id or slug; default: the oldest project) and checks
 * that the principal may see it. Members have no project grants yet, so they see none.
 */
export async function resolveProject({
  ctx: { db },
  input: { principal, ref },
}: {
  ctx: { db: Db }
  input: { principal: Principal; ref: string | undefined }
}): Promise<string> {
  if (principal.role !== 'admin') throw new LeashError('forbidden', 'no access to any project')
  const where = ref ? (UUID.test(ref) ? eq(projects.id, ref) : eq(projects.slug, ref)) : undefined
  const [row] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(where)
    .orderBy(asc(projects.createdAt))
    .limit(1)
  if (!row) throw new LeashError('not_found', ref ? `project '${ref}' not found` : 'no project exists yet')
  return row.id
}
