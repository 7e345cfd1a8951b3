import { FeedbackInput } from '@leash/shared'
import { Hono } from 'hono'
import { createKeyResolver, type ProjectKeyResolver } from '../../auth/index.ts'
import { LeashError } from '../../errors.ts'
import { recordFeedback } from '../../feedback/service.ts'
import { recordWeakRefusalLabel } from '../../labels/index.ts'
import type { ApiContext, ApiEnv } from '../context.ts'

/**
 * `POST /feedback`, called by applications with their project key (the gateway's key), so it is mounted
 * before the login middleware. The project comes from the key, never from the body.
 */
export function feedbackRoutes(ctx: ApiContext) {
  let keys: Pick<ProjectKeyResolver, 'resolve'> | undefined = ctx.keys
  return new Hono<ApiEnv>().post('/feedback', async (c) => {
    const bearer = c.req
      .header('authorization')
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim()
    if (!bearer) throw new LeashError('unauthorized', 'send the project key as `Authorization: Bearer <key>`')
    keys ??= createKeyResolver(ctx.db, (m) => ctx.log('warn', m))
    const resolved = await keys.resolve(bearer)
    if (!resolved) throw new LeashError('unauthorized', 'unknown or revoked project key')
    let body: unknown
    try {
      body = await c.req.json()
    } catch {
      throw new LeashError('bad_request', 'the body must be JSON')
    }
    const parsed = FeedbackInput.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
      throw new LeashError('bad_request', `${where}${issue?.message ?? 'invalid feedback'}`)
    }
    const result = await recordFeedback({
      ctx,
      input: { projectId: resolved.projectId, feedback: parsed.data },
    })
    // A user's "this refusal was wrong" is a weak label, kept apart from reviewers' labels.
    if (parsed.data.refusalWrong)
      await recordWeakRefusalLabel({
        ctx,
        input: { projectId: resolved.projectId, eventId: parsed.data.eventId },
      })
    return c.json(result, 201)
  })
}
