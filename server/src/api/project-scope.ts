import type { MiddlewareHandler } from 'hono'
import { atLeast, roleIn } from '../auth/index.ts'
import { LeashError } from '../errors.ts'
import { resolveProject } from '../projects/service.ts'
import type { ApiContext, ApiEnv } from './context.ts'

/** Where a route names its project: `?project=`, the JSON body's `project`, or the `:project` path part. */
export type ProjectRef = 'query' | 'json' | 'param'

/**
 * Resolves the project a request is about and checks the principal holds the route's declared role
 * there (`ROUTE_PERMISSIONS`), once, before the handler; handlers read `c.get('projectId')`.
 * Mounted after the validators, so bad input is a 400 first.
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
    const principal = c.get('principal')
    const projectId = await resolveProject({ ctx, input: { principal, ref } })
    const need = c.get('permission')
    const role = await roleIn(ctx.db, principal, projectId)
    // Same answer for a project that exists but is not yours as for one that does not exist.
    if (!role) throw new LeashError('not_found', `project '${ref ?? 'default'}' not found`)
    if (need === 'viewer' || need === 'operator' || need === 'admin') {
      if (!atLeast(role, need))
        throw new LeashError('forbidden', `this needs the ${need} role in this project`)
    } else if (need !== 'login') {
      throw new LeashError('internal', `a project-scoped route must declare a project role, not '${need}'`)
    }
    c.set('projectId', projectId)
    await next()
  }
}
