import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/postgres/index.ts'
import { apiTokens, type ProjectRole, sessions, users } from '../db/postgres/index.ts'
import { keyHasherFor } from './key-hash.ts'
import {
  accountKey,
  addressKey,
  clearFailures,
  LOGIN_LIMITS,
  lockedFor,
  recordFailure,
} from './login-limits.ts'
import { newSecret, sha256, verifyPassword } from './secrets.ts'

export interface Principal {
  userId: string
  email: string
  /** `admin`: the instance owner (every project, users, projects); `member`: what memberships grant. */
  role: 'admin' | 'member'
  via: 'session' | 'token'
  /** An API token scoped to one project acts there only, with at most this role. */
  scope?: { projectId: string; role: ProjectRole }
}

/**
 * Compared against when the email is unknown, so both answers take one scrypt with the same
 * parameters (the hash of a random password nobody knows; it matches nothing).
 */
const DUMMY_HASH = 'scrypt$16384$8$1$y4A4ZnoIRgS0F_jY5E7kUQ$QkRNGKZxO8p4boI2kzI9-3VPaqzrUNmfaw1tO--TuXc'

export type LoginResult =
  | { ok: true; token: string; principal: Principal }
  | { ok: false; retryAfterSeconds?: number }

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000

/**
 * Checks a password under the login rate limit: too many failures for the account or the client
 * address lock both out for `LOGIN_LIMITS.lockMs` (an owner lifts it with `DELETE /api/users/:id/lockout`).
 */
export async function login({
  ctx: { db },
  input,
}: {
  ctx: { db: Db }
  input: { email: string; password: string; ip?: string }
}): Promise<LoginResult> {
  const keys = [accountKey(input.email), ...(input.ip ? [addressKey(input.ip)] : [])]
  const locked = await lockedFor(db, keys)
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, input.email.toLowerCase()))
    .limit(1)
  const stored = user?.passwordHash ?? DUMMY_HASH
  const good = (await verifyPassword(input.password, stored)) && user !== undefined
  if (locked > 0) return { ok: false, retryAfterSeconds: locked }
  if (!good || !user) {
    await recordFailure(db, [
      { key: keys[0] as string, limit: LOGIN_LIMITS.accountFailures },
      ...(input.ip ? [{ key: addressKey(input.ip), limit: LOGIN_LIMITS.addressFailures }] : []),
    ])
    return { ok: false }
  }
  await clearFailures(db, keys[0] as string)
  const token = newSecret('')
  await db
    .insert(sessions)
    .values({ tokenHash: sha256(token), userId: user.id, expiresAt: new Date(Date.now() + SESSION_TTL_MS) })
  return {
    ok: true,
    token,
    principal: { userId: user.id, email: user.email, role: user.role, via: 'session' },
  }
}

export async function logout({
  ctx: { db },
  input,
}: {
  ctx: { db: Db }
  input: { token: string }
}): Promise<void> {
  const { token } = input
  await db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)))
}

export async function principalFromSession(db: Db, token: string): Promise<Principal | null> {
  const [row] = await db
    .select({ userId: users.id, email: users.email, role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sha256(token)), gt(sessions.expiresAt, new Date())))
    .limit(1)
  return row ? { ...row, via: 'session' } : null
}

/**
 * Session tokens stay plain SHA-256: they are random, expire within a week and die on logout; API
 * tokens are long-lived, so they get the keyed hash (a legacy SHA-256 row is rewritten on first use).
 */
export async function principalFromToken(db: Db, token: string): Promise<Principal | null> {
  const hasher = keyHasherFor(db)
  const keyed = hasher.hash(token)
  const rows = await db
    .select({
      id: apiTokens.id,
      hash: apiTokens.tokenHash,
      userId: users.id,
      email: users.email,
      role: users.role,
      projectId: apiTokens.projectId,
      scopeRole: apiTokens.role,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(inArray(apiTokens.tokenHash, hasher.candidates(token)), isNull(apiTokens.revokedAt)))
  const row = rows.find((r) => r.hash === keyed) ?? rows[0]
  if (!row) return null
  if (row.hash !== keyed)
    await db
      .update(apiTokens)
      .set({ tokenHash: keyed, lastUsedAt: new Date() })
      .where(eq(apiTokens.id, row.id))
  else if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000)
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id))
  const principal: Principal = { userId: row.userId, email: row.email, role: row.role, via: 'token' }
  if (row.projectId) principal.scope = { projectId: row.projectId, role: row.scopeRole ?? 'viewer' }
  return principal
}
