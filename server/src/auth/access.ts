import { and, eq } from 'drizzle-orm'
import { type Db, memberships, type ProjectRole } from '../db/postgres/index.ts'
import type { Principal } from './sessions.ts'

export type { ProjectRole } from '../db/postgres/index.ts'

/**
 * What a route needs, declared once per route in `ROUTE_PERMISSIONS`:
 * - `public`: nobody needs to be known (login, logout);
 * - `key`: the handler authenticates a project key itself (feedback, ingest, labels from apps);
 * - `login`: any logged-in user (own profile, the projects they can see);
 * - `owner`: the instance owner (users, projects, ingest internals);
 * - a project role: at least that role in the project the request names.
 */
export type Permission = 'public' | 'key' | 'login' | 'owner' | ProjectRole

const RANK: Record<ProjectRole, number> = { viewer: 1, operator: 2, admin: 3 }

export function atLeast(have: ProjectRole | null, need: ProjectRole): boolean {
  return have !== null && RANK[have] >= RANK[need]
}

function lower(a: ProjectRole, b: ProjectRole): ProjectRole {
  return RANK[a] <= RANK[b] ? a : b
}

/** The principal's role in a project: owners are admins everywhere; a scoped token caps it. */
export async function roleIn(db: Db, principal: Principal, projectId: string): Promise<ProjectRole | null> {
  if (principal.scope && principal.scope.projectId !== projectId) return null
  let role: ProjectRole | null
  if (principal.role === 'admin') role = 'admin'
  else {
    const [row] = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.userId, principal.userId), eq(memberships.projectId, projectId)))
      .limit(1)
    role = row?.role ?? null
  }
  return role && principal.scope ? lower(role, principal.scope.role) : role
}

/** The best role the principal holds in any project (to refuse early, before input is validated). */
export async function bestRole(db: Db, principal: Principal): Promise<ProjectRole | null> {
  if (principal.scope) return roleIn(db, principal, principal.scope.projectId)
  if (principal.role === 'admin') return 'admin'
  const rows = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(eq(memberships.userId, principal.userId))
  let best: ProjectRole | null = null
  for (const r of rows) if (!best || RANK[r.role] > RANK[best]) best = r.role
  return best
}
