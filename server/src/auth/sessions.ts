import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/postgres/index.ts'
import { apiTokens, sessions, users } from '../db/postgres/index.ts'
import { newSecret, sha256, verifyPassword } from './secrets.ts'

export interface Principal {
  userId: string
  email: string
  role: 'admin' | 'member'
  via: 'session' | 'token'
}

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000

export async function login({
  ctx: { db },
  input,
}: {
  ctx: { db: Db }
  input: { email: string; password: string }
}): Promise<{ token: string; principal: Principal } | null> {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, input.email.toLowerCase()))
    .limit(1)
  if (!user || !(await verifyPassword(input.password, user.passwordHash))) return null
  const token = newSecret('')
  await db
    .insert(sessions)
    .values({ tokenHash: sha256(token), userId: user.id, expiresAt: new Date(Date.now() + SESSION_TTL_MS) })
  return { token, principal: { userId: user.id, email: user.email, role: user.role, via: 'session' } }
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

export async function principalFromToken(db: Db, token: string): Promise<Principal | null> {
  const [row] = await db
    .select({ userId: users.id, email: users.email, role: users.role })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt)))
    .limit(1)
  return row ? { ...row, via: 'token' } : null
}
