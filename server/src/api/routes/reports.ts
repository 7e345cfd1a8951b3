import { zValidator } from '@hono/zod-validator'
import { WeeklyReportQuery } from '@leash/shared'
import { Hono } from 'hono'
import { weeklyReport } from '../../reports/service.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { projectScope } from '../project-scope.ts'
import { rejectInvalid } from './metrics.ts'

/** `GET /reports/weekly?project&week=YYYY-Www&baseline=YYYY-Www&format=json|md|html` (login required). */
export function reportRoutes(ctx: ApiContext) {
  return new Hono<ApiEnv>().get(
    '/reports/weekly',
    zValidator('query', WeeklyReportQuery, (r) => rejectInvalid(r)),
    projectScope(ctx),
    async (c) => {
      const q = c.req.valid('query')
      const projectId = c.get('projectId')
      const out = await weeklyReport({
        ctx,
        input: {
          projectId,
          format: q.format,
          ...(q.week ? { week: q.week } : {}),
          ...(q.baseline ? { baseline: q.baseline } : {}),
        },
      })
      if (q.format === 'json') return c.json(out.report, 200)
      return c.body(out.body, 200, { 'content-type': out.contentType })
    },
  )
}
