import { zValidator } from '@hono/zod-validator'
import { LoginInput, TimeSeriesQuery } from '@leash/shared'
import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { z } from 'zod'
import { login, logout, SESSION_TTL_MS } from '../auth/index.ts'
import { LeashError } from '../errors.ts'
import { overview } from '../metrics/overview.ts'
import { listProjects } from '../projects/service.ts'
import { authorize, clientAddress, overTls, SESSION_COOKIE } from './auth.ts'
import type { ApiContext, ApiEnv } from './context.ts'
import { toErrorResponse } from './errors.ts'
import { projectScope } from './project-scope.ts'
import { alertRoutes } from './routes/alerts.ts'
import { auditRoutes } from './routes/audit.ts'
import { batchIngestRoutes } from './routes/batch-ingest.ts'
import { exchangeRoutes } from './routes/exchanges.ts'
import { feedbackRoutes } from './routes/feedback.ts'
import { ingestRoutes } from './routes/ingest.ts'
import { keyRoutes } from './routes/keys.ts'
import { labelRoutes } from './routes/labels.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { projectRoutes } from './routes/projects.ts'
import { referenceRoutes } from './routes/reference.ts'
import { reportRoutes } from './routes/reports.ts'
import { scorerAccuracyRoutes } from './routes/scorer-accuracy.ts'
import { settingsRoutes } from './routes/settings.ts'
import { userRoutes } from './routes/users.ts'

function invalid(result: { success: true } | { success: false; error: z.core.$ZodError }): void {
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
    throw new LeashError('bad_request', `${where}${issue?.message ?? 'invalid input'}`)
  }
}

/** The `/api` routes, chained so the dashboard gets their types through Hono's `hc` client. */
export function createApi(ctx: ApiContext) {
  const app = new Hono<ApiEnv>()
    .basePath('/api')
    .use(async (c, next) => {
      c.set('requestId', c.req.header('x-request-id') ?? crypto.randomUUID())
      const pg = ctx.postgres
      if (!pg) await next()
      else {
        // Answer 503 at once while PostgreSQL is away, and cut a request waiting on it when it goes.
        const down = () => new LeashError('storage_unavailable', `${pg.what} is unreachable; retry shortly`)
        if (!pg.up()) throw down()
        let timer: NodeJS.Timeout | undefined
        const watchdog = new Promise<never>((_, reject) => {
          timer = setInterval(() => !pg.up() && reject(down()), 100)
        })
        try {
          await Promise.race([next(), watchdog])
        } finally {
          clearInterval(timer)
        }
      }
      c.header('x-request-id', c.get('requestId'))
    })
    // Every route's permission is declared in auth/permissions.ts; this gate enforces it.
    .use(authorize(ctx))
    .post(
      '/auth/login',
      zValidator('json', LoginInput, (r) => invalid(r)),
      async (c) => {
        const ip = clientAddress(c, ctx)
        const result = await login({ ctx, input: { ...c.req.valid('json'), ip } })
        if (!result.ok && result.retryAfterSeconds) {
          c.header('retry-after', String(result.retryAfterSeconds))
          throw new LeashError('too_many_requests', 'too many failed logins; try again later or ask an owner')
        }
        if (!result.ok) throw new LeashError('unauthorized', 'wrong email or password')
        setCookie(c, SESSION_COOKIE, result.token, {
          httpOnly: true,
          sameSite: 'Strict',
          secure: overTls(c, ctx),
          path: '/',
          maxAge: SESSION_TTL_MS / 1000,
        })
        const { userId, email, role } = result.principal
        return c.json({ id: userId, email, role }, 200)
      },
    )
    .post('/auth/logout', async (c) => {
      const token = getCookie(c, SESSION_COOKIE)
      if (token) await logout({ ctx, input: { token } })
      deleteCookie(c, SESSION_COOKIE, { path: '/' })
      return c.body(null, 204)
    })
    .route('/', feedbackRoutes(ctx))
    .route('/', batchIngestRoutes(ctx))
    .route('/', labelRoutes(ctx))
    .route('/', metricsRoutes(ctx))
    .route('/', reportRoutes(ctx))
    .route('/', settingsRoutes(ctx))
    .route('/', ingestRoutes(ctx))
    .route('/', alertRoutes(ctx))
    .route('/', scorerAccuracyRoutes(ctx))
    .route('/', exchangeRoutes(ctx))
    .route('/', referenceRoutes(ctx))
    .route('/', projectRoutes(ctx))
    .route('/', userRoutes(ctx))
    .route('/', keyRoutes(ctx))
    .route('/', auditRoutes(ctx))
    .get('/auth/me', (c) => {
      const { userId, email, role } = c.get('principal')
      return c.json({ id: userId, email, role }, 200)
    })
    .get('/projects', async (c) =>
      c.json({ items: await listProjects({ ctx, input: { principal: c.get('principal') } }) }, 200),
    )
    .get(
      '/metrics/overview',
      zValidator('query', TimeSeriesQuery, (r) => invalid(r)),
      projectScope(ctx),
      async (c) => {
        const q = c.req.valid('query')
        return c.json(
          await overview({
            ctx,
            input: { projectId: c.get('projectId'), from: q.from, to: q.to, step: q.step },
          }),
          200,
        )
      },
    )

  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'not_found',
          message: `no route ${c.req.method} ${c.req.path}`,
          requestId: c.get('requestId'),
        },
      },
      404,
    ),
  )
  app.onError((err, c) => toErrorResponse(err, c, ctx.log))
  return app
}

export type ApiApp = ReturnType<typeof createApi>
