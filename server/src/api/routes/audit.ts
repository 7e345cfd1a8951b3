import { zValidator } from '@hono/zod-validator'
import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { auditLog, type Db } from '../../db/postgres/index.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { projectScope } from '../project-scope.ts'
import { rejectInvalid } from './metrics.ts'

const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Entries older than this id (the previous page's last `id`). */
  before: z.coerce.number().int().positive().optional(),
})

async function readAudit(db: Db, where: SQL | undefined, q: z.infer<typeof AuditQuery>) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(where, q.before ? lt(auditLog.id, q.before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(q.limit)
  return { items: rows.map((r) => ({ ...r, at: r.at.toISOString() })) }
}

/** The audit log: one project's (its admins) or the whole instance's (the owner). */
export function auditRoutes(ctx: ApiContext) {
  return new Hono<ApiEnv>()
    .get(
      '/projects/:project/audit',
      zValidator('query', AuditQuery, rejectInvalid),
      projectScope(ctx, 'param'),
      async (c) =>
        c.json(
          await readAudit(ctx.db, eq(auditLog.projectId, c.get('projectId')), c.req.valid('query')),
          200,
        ),
    )
    .get('/audit', zValidator('query', AuditQuery, rejectInvalid), async (c) =>
      c.json(await readAudit(ctx.db, undefined, c.req.valid('query')), 200),
    )
}
