import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { z } from 'zod'
import { createProject, deleteProject, resolveProject } from '../../projects/service.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { rejectInvalid } from './metrics.ts'

const NewProject = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
  name: z.string().min(1).max(200),
})

/** `POST /projects`, `DELETE /projects/:project`: the instance owner's. Listing is in app.ts. */
export function projectRoutes(ctx: ApiContext) {
  return new Hono<ApiEnv>()
    .post('/projects', zValidator('json', NewProject, rejectInvalid), async (c) => {
      const project = await createProject({ ctx, input: c.req.valid('json') })
      c.set('projectId', project.id)
      return c.json(project, 201)
    })
    .delete('/projects/:project', async (c) => {
      const projectId = await resolveProject({
        ctx,
        input: { principal: c.get('principal'), ref: c.req.param('project') },
      })
      await deleteProject({ ctx, input: { projectId } })
      await ctx.settings?.invalidate(projectId)
      return c.body(null, 204)
    })
}
