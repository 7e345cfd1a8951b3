import { Hono } from 'hono'
import { LeashError } from '../../errors.ts'
import { resolveProject } from '../../projects/service.ts'
import { getProjectSettings, updateProjectSettings } from '../../projects/settings.ts'
import type { ApiContext, ApiEnv } from '../context.ts'

/** `GET|PUT /projects/:project/settings` (admin only, through `resolveProject`). */
export function settingsRoutes(ctx: ApiContext) {
  return new Hono<ApiEnv>()
    .get('/projects/:project/settings', async (c) => {
      const projectId = await resolveProject(ctx, c.get('principal'), c.req.param('project'))
      return c.json({ projectId, settings: await getProjectSettings(ctx.db, projectId) }, 200)
    })
    .put('/projects/:project/settings', async (c) => {
      const projectId = await resolveProject(ctx, c.get('principal'), c.req.param('project'))
      let patch: unknown
      try {
        patch = await c.req.json()
      } catch {
        throw new LeashError('bad_request', 'the body must be JSON')
      }
      const settings = await updateProjectSettings(ctx.db, projectId, patch)
      await ctx.settings?.invalidate(projectId)
      return c.json({ projectId, settings }, 200)
    })
}
