import type { Project, ProjectSettingsInput } from '@leash/shared'
import { and, asc, eq, type SQL } from 'drizzle-orm'
import { ensureDefaultRules } from '../alerts/defaults.ts'
import type { Principal } from '../auth/index.ts'
import { type Db, memberships, projects } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * A new project masks emails, phone numbers, card numbers and API keys in stored prompts and
 * completions; a project opts out with `PUT /api/projects/:project/settings {"redaction":{"enabled":false}}`.
 */
export const NEW_PROJECT_SETTINGS: ProjectSettingsInput = {
  redaction: { enabled: true, kinds: ['email', 'phone', 'card', 'api_key'] },
}

type Row = typeof projects.$inferSelect
const toProject = (r: Row): Project => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  createdAt: r.createdAt.toISOString(),
})

/** The projects the principal can see: all for the owner, its memberships otherwise. */
export async function listProjects({
  ctx: { db },
  input: { principal },
}: {
  ctx: { db: Db }
  input: { principal: Principal }
}): Promise<Project[]> {
  const scoped = principal.scope ? eq(projects.id, principal.scope.projectId) : undefined
  if (principal.role === 'admin') {
    const rows = await db.select().from(projects).where(scoped).orderBy(asc(projects.createdAt))
    return rows.map(toProject)
  }
  const rows = await db
    .select({ p: projects })
    .from(projects)
    .innerJoin(memberships, eq(memberships.projectId, projects.id))
    .where(and(eq(memberships.userId, principal.userId), scoped))
    .orderBy(asc(projects.createdAt))
  return rows.map((r) => toProject(r.p))
}

/**
 * Resolves the project a request is about (by id or slug; default: the oldest project the principal
 * can see). Whether the principal may act there is `projectScope`'s check.
 */
export async function resolveProject({
  ctx,
  input: { principal, ref },
}: {
  ctx: { db: Db }
  input: { principal: Principal; ref: string | undefined }
}): Promise<string> {
  if (!ref) {
    const [first] = await listProjects({ ctx, input: { principal } })
    if (!first) throw new LeashError('not_found', 'no project you can see exists yet')
    return first.id
  }
  const where: SQL = UUID.test(ref) ? eq(projects.id, ref) : eq(projects.slug, ref)
  const [row] = await ctx.db.select({ id: projects.id }).from(projects).where(where).limit(1)
  if (!row) throw new LeashError('not_found', `project '${ref}' not found`)
  return row.id
}

export async function createProject({
  ctx: { db },
  input,
}: {
  ctx: { db: Db }
  input: { slug: string; name: string }
}): Promise<Project> {
  const [row] = await db
    .insert(projects)
    .values({ slug: input.slug, name: input.name, settings: NEW_PROJECT_SETTINGS })
    .onConflictDoNothing({ target: projects.slug })
    .returning()
  if (!row) throw new LeashError('bad_request', `a project with slug '${input.slug}' already exists`)
  await ensureDefaultRules(db, row.id)
  return toProject(row)
}

/** Deletes a project with its keys, rules and memberships; the last project stays (start-up needs one). */
export async function deleteProject({
  ctx: { db },
  input,
}: {
  ctx: { db: Db }
  input: { projectId: string }
}) {
  const all = await db.select({ id: projects.id }).from(projects).limit(2)
  if (all.length < 2) throw new LeashError('bad_request', 'the last project cannot be deleted')
  await db.delete(projects).where(eq(projects.id, input.projectId))
}
