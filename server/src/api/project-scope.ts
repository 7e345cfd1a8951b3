import type { MiddlewareHandler } from 'hono'
import { resolveProject } from '../projects/service.ts'
import type { ApiContext, ApiEnv } from './context.ts'

/** Where a route names its project: `?project=`, the JSON body's `project`, or the `:project` path part. */
export type ProjectRef = 'query' | 'json' | 'param'

/**
 * Resolves the project a request is about and checks the principal may see it, once, before the
 * handler; handlers read `c.get('projectId')`. Mounted after the validators, so bad input is a 400 first.
 */
export function projectScope(ctx: ApiContext, from: ProjectRef = 'query'): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const ref =
      from === 'query'
        ? c.req.query('project')
        : from === 'param'
          ? c.req.param('project')
          : // The json validator ran before this middleware; its output is not typed at this point.
            (c.req.valid as (target: 'json') => { project?: string })('json').project
    c.set('projectId', await resolveProject({ ctx, input: { principal: c.get('principal'), ref } }))
    await next()
  }
}
