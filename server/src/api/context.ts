import type { ClickHouseClient } from '@clickhouse/client'
import type { Principal } from '../auth/index.ts'
import type { Db } from '../db/postgres/index.ts'
import type { Logger } from '../log.ts'

export interface ApiContext {
  db: Db
  ch: ClickHouseClient
  log: Logger
  /** Whether to mark the session cookie Secure (behind TLS). */
  secureCookies: boolean
}

export interface ApiEnv {
  Variables: { requestId: string; principal: Principal }
}
