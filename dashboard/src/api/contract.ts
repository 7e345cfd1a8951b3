// Stand-in for `AppType` from '@leash/server/api' until the server exports it: the same routes,
// inputs and outputs as the documented contract, so `hc` is typechecked today. Imported as a type only,
// so nothing here reaches the bundle. Delete this file once `server/src/api/app-type.ts` exists.
import { LoginInput } from '@leash/shared'
import type { ExchangesPage, Me, Project, TimeSeries } from '@leash/shared'
import { Hono } from 'hono'
import { validator } from 'hono/validator'

declare const me: Me
declare const projects: Project[]
declare const page: ExchangesPage
declare const series: TimeSeries
// Query strings as they travel; the server coerces them with ExchangesQuery / TimeSeriesQuery.
declare const exchangesQuery: { limit?: string; offset?: string; project?: string }
declare const overviewQuery: { project?: string; from?: string; to?: string; step?: string }

const contract = new Hono()
  .post(
    '/api/auth/login',
    validator('json', (v) => LoginInput.parse(v)),
    (c) => c.json(me, 200),
  )
  .post('/api/auth/logout', (c) => c.body(null, 204))
  .get('/api/auth/me', (c) => c.json(me, 200))
  .get('/api/projects', (c) => c.json({ items: projects }, 200))
  .get(
    '/api/exchanges',
    validator('query', () => exchangesQuery),
    (c) => c.json(page, 200),
  )
  .get(
    '/api/metrics/overview',
    validator('query', () => overviewQuery),
    (c) => c.json(series, 200),
  )

export type ContractApp = typeof contract
