import { zValidator } from '@hono/zod-validator'
import { ReferenceQuery } from '@leash/shared'
import { Hono } from 'hono'
import { REFERENCE_RULE_TEMPLATES } from '../../alerts/reference-templates.ts'
import { getProjectSettings } from '../../projects/settings.ts'
import { leashView } from '../../reference/service.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { projectScope } from '../project-scope.ts'
import { rejectInvalid } from './metrics.ts'

/**
 * The reference model (issue 19), login required:
 * - `GET /reference/leash?project&model&from&to&stepMinutes`: the Leash panel (KL with bootstrap
 *   intervals, paired deltas, series, prompts and tokens that moved most, side-by-side answers);
 * - `GET /reference/status?project`: samples compared, delayed and dropped (by reason);
 * - `GET /reference/rule-templates?project`: the two alert rules, filled with the project's KL budget.
 */
export function referenceRoutes(ctx: ApiContext) {
  return new Hono<ApiEnv>()
    .get(
      '/reference/leash',
      zValidator('query', ReferenceQuery, (r) => rejectInvalid(r)),
      projectScope(ctx),
      async (c) => {
        const q = c.req.valid('query')
        const projectId = c.get('projectId')
        const settings = await getProjectSettings({ ctx, input: { projectId } })
        const view = await leashView({
          ctx: { ch: ctx.ch, settings, counters: ctx.reference?.counters()[projectId] ?? null },
          input: {
            projectId,
            ...(q.model ? { model: q.model } : {}),
            ...(q.from ? { fromMs: q.from.getTime() } : {}),
            ...(q.to ? { toMs: q.to.getTime() } : {}),
            ...(q.stepMinutes ? { stepMinutes: q.stepMinutes } : {}),
          },
        })
        return c.json(view, 200)
      },
    )
    .get(
      '/reference/status',
      zValidator('query', ReferenceQuery.pick({ project: true }), (r) => rejectInvalid(r)),
      projectScope(ctx),
      async (c) => {
        const projectId = c.get('projectId')
        const settings = await getProjectSettings({ ctx, input: { projectId } })
        return c.json(
          {
            configured: settings.reference !== undefined,
            counters: ctx.reference?.counters()[projectId] ?? null,
          },
          200,
        )
      },
    )
    .get(
      '/reference/rule-templates',
      zValidator('query', ReferenceQuery.pick({ project: true }), (r) => rejectInvalid(r)),
      projectScope(ctx),
      async (c) => {
        const projectId = c.get('projectId')
        const settings = await getProjectSettings({ ctx, input: { projectId } })
        return c.json({ items: REFERENCE_RULE_TEMPLATES(settings.reference?.klBudget) }, 200)
      },
    )
}
