import { zValidator } from '@hono/zod-validator'
import { ExchangeDetailQuery, ExchangeIdParam } from '@leash/shared'
import { Hono } from 'hono'
import { z } from 'zod'
import { getExchange } from '../../db/clickhouse/index.ts'
import { LeashError } from '../../errors.ts'
import { exchanges } from '../../metrics/overview.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { parseExchangeQuery } from '../exchange-query.ts'
import { eventIdsWithLabels } from '../label-filter.ts'
import { projectScope } from '../project-scope.ts'
import { rejectInvalid } from './metrics.ts'

// Filters have open-ended names (score.<name>, tag.<key>), so the schema only types the shape for `hc`;
// parseExchangeQuery checks every parameter and names the bad one.
const AnyQuery = z.record(z.string(), z.union([z.string(), z.array(z.string())]))

/** `GET /exchanges` (filtered, sorted, paged) and `GET /exchanges/:id`; login required. */
export function exchangeRoutes(ctx: ApiContext) {
  return new Hono<ApiEnv>()
    .get(
      '/exchanges',
      zValidator('query', AnyQuery, rejectInvalid),
      async (c, next) => {
        // Validate before resolving the project, so a bad filter is a 400 whatever the project.
        parseExchangeQuery(c.req.queries())
        await next()
      },
      projectScope(ctx),
      async (c) => {
        const q = parseExchangeQuery(c.req.queries())
        const projectId = c.get('projectId')
        const filter = q.labels.length
          ? {
              ...q.filter,
              eventIds: await eventIdsWithLabels(ctx, { projectId, labels: q.labels }),
            }
          : q.filter
        return c.json(
          await exchanges({ ctx, input: { projectId, limit: q.limit, offset: q.offset, filter } }),
          200,
        )
      },
    )
    .get(
      '/exchanges/:id',
      zValidator('param', ExchangeIdParam, rejectInvalid),
      zValidator('query', ExchangeDetailQuery, rejectInvalid),
      projectScope(ctx),
      async (c) => {
        const detail = await getExchange(ctx.ch)({
          projectId: c.get('projectId'),
          eventId: c.req.valid('param').id,
        })
        if (!detail) throw new LeashError('not_found', 'no such exchange in this project')
        return c.json(detail, 200)
      },
    )
}
