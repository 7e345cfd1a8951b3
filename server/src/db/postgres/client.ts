import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
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
  await initPgliteDataDir(dir)
  const client = await PGlite.create(dir, { startParams: PGLITE_START_PARAMS })
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

/**
 * Embedded Postgres holds a handful of config rows: PGlite's 128 MB shared_buffers default is most of
 * its memory, 8 MB is plenty (docs/decisions/020-compiled-js-memory-metrics.md).
 */
export const PGLITE_START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...['shared_buffers=8MB', 'temp_buffers=1MB', 'work_mem=2MB', 'maintenance_work_mem=8MB'].flatMap((c) => [
    '-c',
    c,
  ]),
]

/**
 * A new data folder is made by PGlite's initdb, which leaves about 200 MB resident in the process that
 * ran it. It runs once, in a short-lived child process, so that memory leaves with the child.
 */
async function initPgliteDataDir(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
  const script = `const { PGlite } = require(${JSON.stringify(entry)});
PGlite.create(${JSON.stringify(dir)}).then((pg) => pg.close()).catch((e) => { console.error(e); process.exit(1) })`
  try {
    await promisify(execFile)(process.execPath, ['-e', script], { maxBuffer: 16 * 1024 * 1024 })
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? ''
    throw new Error(
      `embedded PGlite could not initialise ${dir}: ${stderr.trim().slice(-500) || String(err)}`,
    )
  }
}
