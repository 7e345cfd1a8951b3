import { zValidator } from '@hono/zod-validator'
import { AlertRuleInput, AlertsQuery, ChannelInput, ResolveInput, SnoozeInput } from '@leash/shared'
import { Hono } from 'hono'
import { z } from 'zod'
import { ackAlert, getAlert, listAlerts, resolveAlert, snoozeAlert } from '../../alerts/incidents.ts'
import { DEFAULT_LIFECYCLE } from '../../alerts/lifecycle.ts'
import { createRule, deleteRule, getRule, listRules, updateRule } from '../../alerts/rules.ts'
import { LeashError } from '../../errors.ts'
import { createChannel, deleteChannel, listChannels, listDeliveries } from '../../notify/channels.ts'
import { sendTestNotification } from '../../notify/test-notice.ts'
import type { ApiContext, ApiEnv } from '../context.ts'
import { projectScope } from '../project-scope.ts'
import { rejectInvalid } from './metrics.ts'

const ProjectQuery = z.object({ project: z.string().optional() })

/** Alert rules, alerts (incidents) and notification channels; login required. */
export function alertRoutes(ctx: ApiContext) {
  const action = {
    db: ctx.db,
    config: ctx.alerts?.config ?? { ...DEFAULT_LIFECYCLE, publicUrl: 'http://localhost:8787' },
    now: ctx.alerts?.now,
  }
  const who = (p: { email: string }) => p.email
  const scoped = projectScope(ctx)
  const bodyScoped = projectScope(ctx, 'json')
  return new Hono<ApiEnv>()
    .get('/alert-rules', zValidator('query', ProjectQuery, rejectInvalid), scoped, async (c) => {
      const projectId = c.get('projectId')
      return c.json({ items: await listRules({ ctx, input: { projectId } }) }, 200)
    })
    .post('/alert-rules', zValidator('json', AlertRuleInput, rejectInvalid), bodyScoped, async (c) => {
      const input = c.req.valid('json')
      const projectId = c.get('projectId')
      return c.json(await createRule({ ctx, input: { projectId, rule: input } }), 201)
    })
    .get('/alert-rules/:id', zValidator('query', ProjectQuery, rejectInvalid), scoped, async (c) => {
      const projectId = c.get('projectId')
      return c.json(
        await getRule({ ctx, input: { projectId, id: uuidParam(c.req.param('id'), 'alert rule') } }),
        200,
      )
    })
    .put('/alert-rules/:id', zValidator('json', AlertRuleInput, rejectInvalid), bodyScoped, async (c) => {
      const input = c.req.valid('json')
      const projectId = c.get('projectId')
      return c.json(
        await updateRule({
          ctx,
          input: { projectId, id: uuidParam(c.req.param('id'), 'alert rule'), rule: input },
        }),
        200,
      )
    })
    .delete('/alert-rules/:id', zValidator('query', ProjectQuery, rejectInvalid), scoped, async (c) => {
      const projectId = c.get('projectId')
      await deleteRule({ ctx: action, input: { projectId, id: uuidParam(c.req.param('id'), 'alert rule') } })
      return c.body(null, 204)
    })
    .get('/alerts', zValidator('query', AlertsQuery, rejectInvalid), scoped, async (c) => {
      const q = c.req.valid('query')
      const projectId = c.get('projectId')
      return c.json(await listAlerts({ ctx, input: { projectId, query: q } }), 200)
    })
    .get('/alerts/:id', zValidator('query', ProjectQuery, rejectInvalid), scoped, async (c) => {
      const projectId = c.get('projectId')
      return c.json(await getAlert({ ctx, input: { projectId, id: c.req.param('id') } }), 200)
    })
    .post('/alerts/:id/ack', zValidator('query', ProjectQuery, rejectInvalid), scoped, async (c) => {
      const projectId = c.get('projectId')
      return c.json(
        await ackAlert({
          ctx: action,
          input: { projectId, id: c.req.param('id'), who: who(c.get('principal')) },
        }),
        200,
      )
    })
    .post(
      '/alerts/:id/resolve',
      zValidator('query', ProjectQuery, rejectInvalid),
      zValidator('json', ResolveInput, rejectInvalid),
      scoped,
      async (c) => {
        const projectId = c.get('projectId')
        const { note } = c.req.valid('json')
        return c.json(
          await resolveAlert({
            ctx: action,
            input: { projectId, id: c.req.param('id'), who: who(c.get('principal')), note },
          }),
          200,
        )
      },
    )
    .post(
      '/alerts/:id/snooze',
      zValidator('query', ProjectQuery, rejectInvalid),
      zValidator('json', SnoozeInput, rejectInvalid),
      scoped,
      async (c) => {
        const projectId = c.get('projectId')
        const input = c.req.valid('json')
        return c.json(
          await snoozeAlert({
            ctx: action,
            input: { projectId, id: c.req.param('id'), who: who(c.get('principal')), snooze: input },
          }),
          200,
        )
      },
    )
    .get('/notification-channels', zValidator('query', ProjectQuery, rejectInvalid), scoped, async (c) => {
      const projectId = c.get('projectId')
      return c.json({ items: await listChannels({ ctx, input: { projectId } }) }, 200)
    })
    .post(
      '/notification-channels',
      zValidator('json', ChannelInput, rejectInvalid),
      bodyScoped,
      async (c) => {
        const input = c.req.valid('json')
        const projectId = c.get('projectId')
        return c.json(await createChannel({ ctx, input: { projectId, channel: input } }), 201)
      },
    )
    .delete(
      '/notification-channels/:id',
      zValidator('query', ProjectQuery, rejectInvalid),
      scoped,
      async (c) => {
        const projectId = c.get('projectId')
        await deleteChannel({
          ctx,
          input: { projectId, id: uuidParam(c.req.param('id'), 'notification channel') },
        })
        return c.body(null, 204)
      },
    )
    .post(
      '/notification-channels/:id/test',
      zValidator('query', ProjectQuery, rejectInvalid),
      scoped,
      async (c) => {
        const projectId = c.get('projectId')
        const sent = await sendTestNotification({
          ctx: {
            db: ctx.db,
            log: ctx.log,
            publicUrl: action.config.publicUrl,
            pagerDutyUrl: ctx.alerts?.pagerDutyUrl,
          },
          input: { projectId, id: uuidParam(c.req.param('id'), 'notification channel') },
        })
        return c.json(sent, 200)
      },
    )
    .get(
      '/notification-channels/:id/deliveries',
      zValidator('query', ProjectQuery, rejectInvalid),
      scoped,
      async (c) => {
        const projectId = c.get('projectId')
        return c.json(
          await listDeliveries({
            ctx,
            input: { projectId, id: uuidParam(c.req.param('id'), 'notification channel') },
          }),
          200,
        )
      },
    )
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function uuidParam(id: string, what: string): string {
  if (!UUID.test(id)) throw new LeashError('not_found', `${what} '${id}' not found`)
  return id
}
