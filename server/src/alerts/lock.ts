import { sql } from 'drizzle-orm'
import type { Db } from '../db/postgres/index.ts'

/** Advisory-lock key of the alert evaluator ("leash-alerts"); one holder across all replicas. */
export const EVALUATOR_LOCK_KEY = 7406006

export interface LeaderLock {
  /** True while this process holds the lock; tries to take it when it does not. */
  acquire(): Promise<boolean>
  release(): Promise<void>
  readonly held: boolean
}

interface Reserved {
  unsafe(query: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>
  release(): void
}
interface PostgresJs {
  reserve(): Promise<Reserved>
}

/** PGlite is one process and one session, so its holders are tracked per client in this process. */
const pgliteHolders = new WeakMap<object, symbol>()

/**
 * Session-level `pg_try_advisory_lock`. With postgres.js the lock lives on a reserved connection kept
 * for as long as the lock is held (a pooled connection could hand the session to another query);
 * with PGlite there is a single session, so exclusivity within the process is tracked here as well.
 */
export function createLeaderLock(db: Db, key = EVALUATOR_LOCK_KEY): LeaderLock {
  const client = (db as unknown as { $client?: unknown }).$client
  const pgjs = client && typeof (client as PostgresJs).reserve === 'function' ? (client as PostgresJs) : null
  const me = Symbol('evaluator')
  let reserved: Reserved | null = null
  let held = false

  async function acquirePgjs(c: PostgresJs): Promise<boolean> {
    try {
      if (!reserved) reserved = await c.reserve()
      if (held) {
        await reserved.unsafe('select 1')
        return true
      }
      const [row] = await reserved.unsafe('select pg_try_advisory_lock($1::bigint) as ok', [key])
      held = row?.ok === true
      if (!held) {
        reserved.release()
        reserved = null
      }
      return held
    } catch {
      // The session is gone, and the lock with it.
      held = false
      reserved?.release()
      reserved = null
      return false
    }
  }

  return {
    get held() {
      return held
    },
    async acquire() {
      if (pgjs) return acquirePgjs(pgjs)
      const holderKey = (client ?? db) as object
      const holder = pgliteHolders.get(holderKey)
      if (holder && holder !== me) return false
      if (!held) {
        const res = await db.execute(sql`select pg_try_advisory_lock(${key}::bigint) as ok`)
        const rows =
          (res as unknown as { rows?: Array<{ ok: boolean }> }).rows ??
          (res as unknown as Array<{ ok: boolean }>)
        if (rows[0]?.ok !== true) return false
        pgliteHolders.set(holderKey, me)
        held = true
      }
      return true
    },
    async release() {
      if (!held) return
      held = false
      if (reserved) {
        const r = reserved
        reserved = null
        await r.unsafe('select pg_advisory_unlock($1::bigint)', [key]).catch(() => {})
        r.release()
        return
      }
      const holderKey = (client ?? db) as object
      if (pgliteHolders.get(holderKey) === me) pgliteHolders.delete(holderKey)
      await db.execute(sql`select pg_advisory_unlock(${key}::bigint)`).catch(() => {})
    },
  }
}
