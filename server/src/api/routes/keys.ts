import { zValidator } from '@hono/zod-validator'
import { and, asc, eq, isNull } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { keyHasherFor, newSecret } from '../../auth/index.ts'
import { apiTokens, PROJECT_ROLES, projectKeys, users } from '../../db/postgres/index.ts'
import { LeashError } from '../../errors.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { projectScope } from '../project-scope.ts'
import { rejectInvalid } from './metrics.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const NewKey = z.object({ name: z.string().min(1).max(200) })
const NewToken = z.object({ name: z.string().min(1).max(200), role: z.enum(PROJECT_ROLES) })
const iso = (d: Date | null) => (d ? d.toISOString() : null)

function idParam(id: string, what: string): string {
  if (!UUID.test(id)) throw new LeashError('not_found', `${what} '${id}' not found`)
  return id
}

/**
 * A project's keys (what apps send to the gateway) and its admin API tokens (scoped to the project
 * and a role). The secret is in the create answer only; Leash keeps its hash.
 */
export function keyRoutes(ctx: ApiContext) {
  const scoped = projectScope(ctx, 'param')
  return new Hono<ApiEnv>()
    .get('/projects/:project/keys', scoped, async (c) => {
      const rows = await ctx.db
        .select({ k: projectKeys, createdBy: users.email })
        .from(projectKeys)
        .leftJoin(users, eq(users.id, projectKeys.createdBy))
        .where(eq(projectKeys.projectId, c.get('projectId')))
        .orderBy(asc(projectKeys.createdAt))
      const items = rows.map(({ k, createdBy }) => ({
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        createdBy,
        createdAt: k.createdAt.toISOString(),
        lastUsedAt: iso(k.lastUsedAt),
        revokedAt: iso(k.revokedAt),
      }))
      return c.json({ items }, 200)
    })
    .post('/projects/:project/keys', zValidator('json', NewKey, rejectInvalid), scoped, async (c) => {
      const key = newSecret('lsk_')
      const [row] = await ctx.db
        .insert(projectKeys)
        .values({
          projectId: c.get('projectId'),
          name: c.req.valid('json').name,
          keyHash: keyHasherFor(ctx.db).hash(key),
          prefix: key.slice(0, 8),
          createdBy: c.get('principal').userId,
        })
        .returning({ id: projectKeys.id, prefix: projectKeys.prefix })
      return c.json({ ...row, key, note: 'shown once: Leash keeps only its hash' }, 201)
    })
    .delete('/projects/:project/keys/:id', scoped, async (c) => {
      const id = idParam(c.req.param('id'), 'key')
      const done = await ctx.db
        .update(projectKeys)
        .set({ revokedAt: new Date() })
        .where(
          and(
            eq(projectKeys.id, id),
            eq(projectKeys.projectId, c.get('projectId')),
            isNull(projectKeys.revokedAt),
          ),
        )
        .returning({ id: projectKeys.id })
      if (done.length === 0) throw new LeashError('not_found', `active key '${id}' not found`)
      return c.body(null, 204)
    })
    .get('/projects/:project/tokens', scoped, async (c) => {
      const rows = await ctx.db
        .select({ t: apiTokens, user: users.email })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(eq(apiTokens.projectId, c.get('projectId')))
        .orderBy(asc(apiTokens.createdAt))
      const items = rows.map(({ t, user }) => ({
        id: t.id,
        name: t.name,
        role: t.role,
        createdBy: user,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: iso(t.lastUsedAt),
        revokedAt: iso(t.revokedAt),
      }))
      return c.json({ items }, 200)
    })
    .post('/projects/:project/tokens', zValidator('json', NewToken, rejectInvalid), scoped, async (c) => {
      const token = newSecret('lat_')
      const principal = c.get('principal')
      const input = c.req.valid('json')
      // A token acts as its creator, capped to this project and role: never more than the creator has.
      const [row] = await ctx.db
        .insert(apiTokens)
        .values({
          userId: principal.userId,
          name: input.name,
          tokenHash: keyHasherFor(ctx.db).hash(token),
          projectId: c.get('projectId'),
          role: input.role,
          createdBy: principal.userId,
        })
        .returning({ id: apiTokens.id })
      return c.json({ ...row, token, role: input.role, note: 'shown once: Leash keeps only its hash' }, 201)
    })
    .delete('/projects/:project/tokens/:id', scoped, async (c) => {
      const id = idParam(c.req.param('id'), 'token')
      const done = await ctx.db
        .update(apiTokens)
        .set({ revokedAt: new Date() })
        .where(
          and(eq(apiTokens.id, id), eq(apiTokens.projectId, c.get('projectId')), isNull(apiTokens.revokedAt)),
        )
        .returning({ id: apiTokens.id })
      if (done.length === 0) throw new LeashError('not_found', `active token '${id}' not found`)
      return c.body(null, 204)
    })
}
