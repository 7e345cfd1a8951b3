import { Hono } from 'hono'
import { LeashError } from '../../errors.ts'
import { getProjectSettings, updateProjectSettings } from '../../projects/settings.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { projectScope } from '../project-scope.ts'

/** `GET|PUT /projects/:project/settings` (admin only, through the project scope). */
export function settingsRoutes(ctx: ApiContext) {
  const scoped = projectScope(ctx, 'param')
  return new Hono<ApiEnv>()
    .get('/projects/:project/settings', scoped, async (c) => {
      const projectId = c.get('projectId')
      return c.json({ projectId, settings: await getProjectSettings({ ctx, input: { projectId } }) }, 200)
    })
    .put('/projects/:project/settings', scoped, async (c) => {
      const projectId = c.get('projectId')
      let patch: unknown
      try {
        patch = await c.req.json()
      } catch {
        throw new LeashError('bad_request', 'the body must be JSON')
      }
      const settings = await updateProjectSettings({ ctx, input: { projectId, patch } })
      await ctx.settings?.invalidate(projectId)
      return c.json({ projectId, settings }, 200)
    })
}
