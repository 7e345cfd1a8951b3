import type { ClickHouseClient } from '@clickhouse/client'
import type { LifecycleConfig } from '../alerts/lifecycle.ts'
import type { Permission, Principal, ProjectKeyResolver } from '../auth/index.ts'
import type { Db, PostgresHealth } from '../db/postgres/index.ts'
import type { ExchangeSink } from '../exchange/record.ts'
import type { Pipeline } from '../ingest/pipeline.ts'
import type { Logger } from '../log.ts'
import type { SettingsCache } from '../projects/settings.ts'
import type { ReferenceRunner } from '../reference/runner.ts'

export interface ApiContext {
  db: Db
  ch: ClickHouseClient
  log: Logger
  /** Whether to mark the session cookie Secure (behind TLS). */
  secureCookies: boolean
  /** LEASH_PUBLIC_URL: an https URL marks the cookie Secure; its origin passes the CSRF check. */
  publicUrl?: string
  /** LEASH_TRUST_PROXY: believe `X-Forwarded-Proto`/`X-Forwarded-For` from the proxy in front. */
  trustProxy?: boolean
  /** The gateway's settings cache, told to reload a project after its settings change. */
  settings?: Pick<SettingsCache, 'invalidate'>
  /** The ingest pipeline, for `GET /api/ingest/status`. */
  ingest?: Pick<Pipeline, 'status'>
  /** The gateway's project-key resolver, for routes apps call with their key (`POST /api/feedback`). */
  keys?: Pick<ProjectKeyResolver, 'resolve'>
  /** Where exchanges logged without the proxy go (`POST /api/ingest/exchanges`): the spool, with settings. */
  exchanges?: { sink: ExchangeSink; settings: Pick<SettingsCache, 'get'> }
  /** PostgreSQL's health: while it is down the API answers 503 at once instead of waiting on it. */
  postgres?: Pick<PostgresHealth, 'up' | 'what'>
  /** Alert lifecycle settings (incident links, expiries) and the clock for ack/resolve/snooze. */
  alerts?: { config: LifecycleConfig; now?: () => number; pagerDutyUrl?: string }
  /** Reference comparisons' counters (issue 19), for `GET /api/reference/status`. */
  reference?: Pick<ReferenceRunner, 'counters'>
}

export interface ApiEnv {
  /** `projectId` is set by `projectScope` on the routes about one project. */
  /** `permission` is the route's declared permission (set by `authorize`). */
  Variables: { requestId: string; principal: Principal; projectId: string; permission: Permission }
}
