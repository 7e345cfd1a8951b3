import { zValidator } from '@hono/zod-validator'
import { and, asc, eq } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { accountKey, addressKey, clearFailures, hashPassword } from '../../auth/index.ts'
import { type Db, memberships, PROJECT_ROLES, projects, users } from '../../db/postgres/index.ts'
import { LeashError } from '../../errors.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { projectScope } from '../project-scope.ts'
import { rejectInvalid } from './metrics.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const Role = z.enum(PROJECT_ROLES)
const NewUser = z.object({
  email: z.email(),
  password: z.string().min(12, 'at least 12 characters'),
  /** `owner` manages users and projects everywhere; `member` gets what memberships grant. */
  kind: z.enum(['owner', 'member']).default('member'),
  projects: z.array(z.object({ project: z.string(), role: Role })).default([]),
})
const MemberInput = z.object({ role: Role })
const LockoutQuery = z.object({ ip: z.string().optional() })

function userId(id: string): string {
  if (!UUID.test(id)) throw new LeashError('not_found', `user '${id}' not found`)
  return id
}

async function listUsers(db: Db) {
  const rows = await db.select().from(users).orderBy(asc(users.createdAt))
  const grants = await db
    .select({
      userId: memberships.userId,
      project: projects.slug,
      projectId: projects.id,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    kind: u.role === 'admin' ? 'owner' : 'member',
    createdAt: u.createdAt.toISOString(),
    projects: grants
      .filter((g) => g.userId === u.id)
      .map((g) => ({ project: g.project, projectId: g.projectId, role: g.role })),
  }))
}

/** Users (the owner's) and each project's members (that project's admins). */
export function userRoutes(ctx: ApiContext) {
  const scoped = projectScope(ctx, 'param')
  return new Hono<ApiEnv>()
    .get('/users', async (c) => c.json({ items: await listUsers(ctx.db) }, 200))
    .post('/users', zValidator('json', NewUser, rejectInvalid), async (c) => {
      const input = c.req.valid('json')
      const id = await ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(users)
          .values({
            email: input.email,
            passwordHash: await hashPassword(input.password),
            role: input.kind === 'owner' ? 'admin' : 'member',
          })
          .onConflictDoNothing()
          .returning({ id: users.id })
        if (!row) throw new LeashError('bad_request', `a user with email '${input.email}' already exists`)
        for (const grant of input.projects) {
          const [p] = await tx
            .select({ id: projects.id })
            .from(projects)
            .where(eq(projects.slug, grant.project))
          if (!p) throw new LeashError('bad_request', `project '${grant.project}' not found`)
          await tx.insert(memberships).values({ userId: row.id, projectId: p.id, role: grant.role })
        }
        return row.id
      })
      return c.json({ id, email: input.email }, 201)
    })
    .delete('/users/:id', async (c) => {
      const id = userId(c.req.param('id'))
      if (id === c.get('principal').userId) throw new LeashError('bad_request', 'you cannot delete yourself')
      const gone = await ctx.db.delete(users).where(eq(users.id, id)).returning({ id: users.id })
      if (gone.length === 0) throw new LeashError('not_found', `user '${id}' not found`)
      return c.body(null, 204)
    })
    .delete('/users/:id/lockout', zValidator('query', LockoutQuery, rejectInvalid), async (c) => {
      const id = userId(c.req.param('id'))
      const [u] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, id))
      if (!u) throw new LeashError('not_found', `user '${id}' not found`)
      await clearFailures(ctx.db, accountKey(u.email))
      const { ip } = c.req.valid('query')
      if (ip) await clearFailures(ctx.db, addressKey(ip))
      return c.body(null, 204)
    })
    .get('/projects/:project/members', scoped, async (c) => {
      const rows = await ctx.db
        .select({ id: users.id, email: users.email, role: memberships.role, since: memberships.createdAt })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.projectId, c.get('projectId')))
        .orderBy(asc(users.email))
      return c.json({ items: rows.map((r) => ({ ...r, since: r.since.toISOString() })) }, 200)
    })
    .put(
      '/projects/:project/members/:id',
      zValidator('json', MemberInput, rejectInvalid),
      scoped,
      async (c) => {
        const id = userId(c.req.param('id'))
        const [u] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.id, id))
        if (!u) throw new LeashError('not_found', `user '${id}' not found`)
        const { role } = c.req.valid('json')
        await ctx.db
          .insert(memberships)
          .values({ userId: id, projectId: c.get('projectId'), role })
          .onConflictDoUpdate({ target: [memberships.userId, memberships.projectId], set: { role } })
        return c.json({ id, role }, 200)
      },
    )
    .delete('/projects/:project/members/:id', scoped, async (c) => {
      const id = userId(c.req.param('id'))
      await ctx.db
        .delete(memberships)
        .where(and(eq(memberships.userId, id), eq(memberships.projectId, c.get('projectId'))))
      return c.body(null, 204)
    })
}
