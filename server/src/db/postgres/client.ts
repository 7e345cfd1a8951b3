import fs from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import * as schema from './schema/index.ts'

export type Schema = typeof schema
/** One type for both drivers: every query in Leash is written against this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>

export interface Postgres {
  db: Db
  kind: 'pglite' | 'postgres'
  /** Human description for logs, never containing a password. */
  describe: string
  migrate(): Promise<void>
  /** One `select 1`; rejects when the server cannot be reached. */
  ping(): Promise<unknown>
  close(): Promise<void>
}

export const POSTGRES_MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../../migrations/postgres')

/** `DATABASE_URL` selects PostgreSQL through postgres.js; otherwise PGlite under `<dataDir>/postgres`. */
export async function openPostgres(opts: { url?: string; dataDir: string }): Promise<Postgres> {
  if (opts.url) {
    // A short connect timeout: while the server is away, callers hear so in seconds, not after a hang.
    // Reconnect within a second (the driver's default backoff grows to 20 s), so service resumes fast.
    const sql = postgres(opts.url, {
      max: 10,
      onnotice: () => {},
      connect_timeout: 3,
      backoff: (retries: number) => Math.min(0.1 * retries, 1),
    })
    const db = drizzlePostgres(sql, { schema })
    const u = new URL(opts.url)
    return {
      db: db as unknown as Db,
      kind: 'postgres',
      describe: `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`,
      migrate: () => migratePostgres(db, { migrationsFolder: POSTGRES_MIGRATIONS_DIR }),
      ping: () => sql`select 1`.then(() => undefined),
      close: () => sql.end({ timeout: 5 }),
    }
  }
  const dir = path.join(opts.dataDir, 'postgres')
  fs.mkdirSync(dir, { recursive: true })
  const client = await PGlite.create(dir)
  const db = drizzlePglite(client, { schema })
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    describe: `embedded PGlite at ${dir}`,
    migrate: () => migratePglite(db, { migrationsFolder: POSTGRES_MIGRATIONS_DIR }),
    ping: () => client.query('select 1'),
    close: () => client.close(),
  }
}
