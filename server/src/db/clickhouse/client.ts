import fs from 'node:fs'
import path from 'node:path'
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client'
import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'

export type { ClickHouseClient } from '@clickhouse/client'

export interface ClickHouseOptions {
  /** CLICKHOUSE_URL: `http[s]://[user:password@]host:port[/database][?database=name]`; absent = chdb. */
  url?: string
  /** Embedded data lives in `${dataDir}/clickhouse`. */
  dataDir: string
  /** Server database; wins over the one in the URL. */
  database?: string
}

interface ServerTarget {
  url: string
  database: string | undefined
}

/** @clickhouse/client rejects an unknown `?database=` URL param, so it is lifted into `database`. */
function serverTarget(rawUrl: string, database: string | undefined): ServerTarget {
  const url = new URL(rawUrl)
  const fromQuery = url.searchParams.get('database') ?? undefined
  url.searchParams.delete('database')
  const fromPath = url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined
  url.pathname = '/'
  return { url: url.toString(), database: database ?? fromQuery ?? fromPath }
}

type ClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>

export function embeddedPath(dataDir: string): string {
  return path.resolve(dataDir, 'clickhouse')
}

/**
 * One query layer for both engines: the HTTP client for a server, or the same client over an in-process
 * chdb connection. No client-wide `clickhouse_settings`; queries set only `log_comment` (query.ts).
 */
export function createClickHouse(opts: ClickHouseOptions): ClickHouseClient {
  if (opts.url) {
    const target = serverTarget(opts.url, opts.database)
    return createClient({ url: target.url, ...(target.database ? { database: target.database } : {}) })
  }
  if (opts.database && opts.database !== 'default') {
    // chdb ignores the client's database option; silently writing elsewhere would be worse than failing.
    throw new Error(
      `ClickHouse database "${opts.database}" needs CLICKHOUSE_URL; embedded chdb uses "default"`,
    )
  }
  const dir = embeddedPath(opts.dataDir)
  fs.mkdirSync(dir, { recursive: true })
  // chdb types the Connection against @clickhouse/client-common 1.23.0 while the client bundles 1.23.1's
  // copy; the settings types differ only in listed keys, the runtime contract is the same.
  const connection = createChdbConnection({ path: dir }) as unknown as ClientConnection
  return createClient({ connection })
}

/** A short, password-free description for logs. */
export function describeClickHouse(opts: ClickHouseOptions): string {
  if (!opts.url) return `embedded chdb at ${embeddedPath(opts.dataDir)}`
  const target = serverTarget(opts.url, opts.database)
  const url = new URL(target.url)
  const user = url.username ? `${decodeURIComponent(url.username)}@` : ''
  return `server at ${url.protocol}//${user}${url.host}/${target.database ?? 'default'}`
}
