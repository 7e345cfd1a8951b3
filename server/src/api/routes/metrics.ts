import { zValidator } from '@hono/zod-validator'
import { Dimension, MetricSeriesParams, SERIES_MAX_BUCKETS, type SeriesFilters } from '@leash/shared'
import { Hono } from 'hono'
import type { z } from 'zod'
import { LeashError } from '../../errors.ts'
import { findMetric, metricDefs } from '../../metrics/catalog.ts'
import { pickStep } from '../../metrics/overview.ts'
import { queryEstimatedSeries } from '../../metrics/query.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { projectScope } from '../project-scope.ts'

/** zValidator hook: the first issue becomes a `bad_request` in the API's error shape. */
export function rejectInvalid(result: { success: true } | { success: false; error: z.core.$ZodError }): void {
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
    throw new LeashError('bad_request', `${where}${issue?.message ?? 'invalid input'}`)
  }
}

/** `GET /metrics/catalog` and `GET /metrics/series` (login required). */
export function metricsRoutes(ctx: ApiContext) {
  return new Hono<ApiEnv>()
    .get('/metrics/catalog', (c) => c.json({ items: metricDefs() }, 200))
    .get(
      '/metrics/series',
      zValidator('query', MetricSeriesParams, (r) => rejectInvalid(r)),
      projectScope(ctx),
      async (c) => {
        const q = c.req.valid('query')
        const def = metricDefs().find((d) => d.name === q.metric)
        if (!def || !findMetric(q.metric))
          throw new LeashError(
            'bad_request',
            `metric: unknown metric '${q.metric}'; see GET /api/metrics/catalog`,
          )
        const projectId = c.get('projectId')
        const to = q.to ?? Date.now()
        const from = q.from ?? to - 3600_000
        if (!(to > from)) throw new LeashError('bad_request', '`from` must be before `to`')
        const step = q.step ?? pickStep(to - from)
        if ((to - from) / 1000 / step > SERIES_MAX_BUCKETS)
          throw new LeashError(
            'bad_request',
            `range/step gives more than ${SERIES_MAX_BUCKETS} buckets; use a larger step`,
          )
        const filters: SeriesFilters = {}
        for (const d of Dimension.options) if (q[d] !== undefined) filters[d] = q[d]
        if (Object.keys(q.tags).length) filters.tags = q.tags
        const series = await queryEstimatedSeries(
          ctx,
          {
            projectId,
            metric: q.metric,
            from,
            to,
            stepSeconds: step,
            filters,
            groupBy: q.groupBy,
          },
          q.estimate,
        )
        return c.json({ metric: def, from, to, step, series }, 200)
      },
    )
}
