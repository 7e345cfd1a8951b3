import { eq, inArray, sql } from 'drizzle-orm'
import { type Db, loginAttempts } from '../db/postgres/index.ts'

/** Failures allowed per account and per client address inside one window before a lockout. */
export const LOGIN_LIMITS = {
  accountFailures: 5,
  addressFailures: 20,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
}

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`
export const addressKey = (ip: string) => `ip:${ip}`

/** Seconds until the first of `keys` is unlocked, or 0 when none is locked. */
export async function lockedFor(db: Db, keys: string[], now = Date.now()): Promise<number> {
  const rows = await db
    .select({ lockedUntil: loginAttempts.lockedUntil })
    .from(loginAttempts)
    .where(inArray(loginAttempts.key, keys))
  let until = 0
  for (const r of rows)
    if (r.lockedUntil && r.lockedUntil.getTime() > now) until = Math.max(until, r.lockedUntil.getTime())
  return until ? Math.ceil((until - now) / 1000) : 0
}

/** Counts one failure against each key; a key past its limit inside the window is locked. */
export async function recordFailure(db: Db, keys: { key: string; limit: number }[]): Promise<void> {
  const { windowMs, lockMs } = LOGIN_LIMITS
  for (const { key, limit } of keys) {
    await db.execute(sql`
      insert into login_attempts (key, failures, window_start) values (${key}, 1, now())
      on conflict (key) do update set
        failures = case when login_attempts.window_start < now() - make_interval(secs => ${windowMs / 1000})
          then 1 else login_attempts.failures + 1 end,
        window_start = case when login_attempts.window_start < now() - make_interval(secs => ${windowMs / 1000})
          then now() else login_attempts.window_start end`)
    await db.execute(sql`
      update login_attempts set locked_until = now() + make_interval(secs => ${lockMs / 1000}), failures = 0,
        window_start = now()
      where key = ${key} and failures >= ${limit}`)
  }
}

/** A successful login forgets the account's failures (not the address's). */
export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.delete(loginAttempts).where(eq(loginAttempts.key, key))
}
