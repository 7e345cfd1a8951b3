import { zValidator } from '@hono/zod-validator'
import { LabelInput, LabelsQuery, ReviewQueueQuery } from '@leash/shared'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { ProjectRole } from '../../auth/index.ts'
import { createKeyResolver, type ProjectKeyResolver, principalFromToken } from '../../auth/index.ts'
import { LeashError } from '../../errors.ts'
import { deleteLabels, listLabels, recordLabel, reviewQueue } from '../../labels/index.ts'
import { requireLogin } from '../auth.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { type ProjectRef, projectScope } from '../project-scope.ts'
import { rejectInvalid } from './metrics.ts'

type LabelEnv = ApiEnv & { Variables: { labeller: string } }

/**
 * `POST/GET /labels`, `DELETE /labels/:eventId` (undo) and `GET /review-queue`. A dashboard session or the admin token (like the alert
 * routes: the lead maps them to roles), or an application's project key, which may only label its own
 * project (the project comes from the key, never the body). Mounted before the login middleware.
 */
export function labelRoutes(ctx: ApiContext) {
  let keys: Pick<ProjectKeyResolver, 'resolve'> | undefined = ctx.keys
  // Who is asking comes first (so an anonymous call is a 401 before its body is judged), then, after the
  // validators, which project: a project key's own, or the one a person names and holds `need` in.
  const who = (need: ProjectRole): MiddlewareHandler<LabelEnv> => {
    const login = requireLogin(ctx, need)
    return async (c, next) => {
      const bearer = c.req
        .header('authorization')
        ?.match(/^Bearer\s+(.+)$/i)?.[1]
        ?.trim()
      if (bearer && !(await principalFromToken(ctx.db, bearer))) {
        keys ??= createKeyResolver(ctx.db, (m) => ctx.log('warn', m))
        const resolved = await keys.resolve(bearer)
        if (!resolved) throw new LeashError('unauthorized', 'unknown admin token or project key')
        c.set('projectId', resolved.projectId)
        c.set('labeller', 'project-key')
        return next()
      }
      await login(c as unknown as Context<ApiEnv>, next)
    }
  }
  const where = (from: ProjectRef): MiddlewareHandler<LabelEnv> => {
    const scoped = projectScope(ctx, from)
    return async (c, next) => {
      if (c.get('labeller') === 'project-key') return next()
      await scoped(c as unknown as Context<ApiEnv>, async () => {
        c.set('labeller', c.get('principal').email)
        await next()
      })
    }
  }
  return new Hono<LabelEnv>()
    .post(
      '/labels',
      who('operator'),
      zValidator('json', LabelInput, rejectInvalid),
      where('json'),
      async (c) => {
        const result = await recordLabel({
          ctx,
          input: { projectId: c.get('projectId'), labeller: c.get('labeller'), label: c.req.valid('json') },
        })
        return c.json(result, 201)
      },
    )
    .get(
      '/labels',
      who('viewer'),
      zValidator('query', LabelsQuery, rejectInvalid),
      where('query'),
      async (c) => {
        const q = c.req.valid('query')
        const to = q.to ?? Date.now() + 60_000
        const from = q.from ?? to - 7 * 86_400_000
        const items = await listLabels({
          ctx,
          input: {
            projectId: c.get('projectId'),
            ...(q.eventId ? { eventId: q.eventId } : { from, to }),
            ...(q.source ? { source: q.source } : {}),
            limit: q.limit,
          },
        })
        return c.json({ items }, 200)
      },
    )
    .get(
      '/review-queue',
      who('viewer'),
      zValidator('query', ReviewQueueQuery, rejectInvalid),
      where('query'),
      async (c) => {
        const q = c.req.valid('query')
        const to = q.to ?? Date.now() + 60_000
        const from = q.from ?? to - 86_400_000
        return c.json(
          await reviewQueue({
            ctx,
            input: { projectId: c.get('projectId'), metric: q.metric, n: q.n, from, to },
          }),
          200,
        )
      },
    )
    .delete(
      '/labels/:eventId',
      who('operator'),
      zValidator('param', z.object({ eventId: z.guid() }), rejectInvalid),
      zValidator('query', z.object({ project: z.string().optional() }), rejectInvalid),
      where('query'),
      async (c) => {
        const removed = await deleteLabels({
          ctx,
          input: {
            projectId: c.get('projectId'),
            eventId: c.req.valid('param').eventId,
            labeller: c.get('labeller'),
          },
        })
        return c.json({ removed }, 200)
      },
    )
}
