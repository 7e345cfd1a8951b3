import fs from 'node:fs'
import path from 'node:path'
import { eq, sql } from 'drizzle-orm'
import { ensureDefaultRules } from '../alerts/defaults.ts'
import { apiTokens, type Db, projectKeys, projects, users } from '../db/postgres/index.ts'
import { NEW_PROJECT_SETTINGS } from '../projects/service.ts'
import { keyHasherFor } from './key-hash.ts'
import { hashPassword, newSecret } from './secrets.ts'

export interface InitialCredentials {
  email: string
  password: string
  adminToken: string
  projectKey: string
  projectId: string
}

export interface BootstrapResult {
  /** Set only when this start created the first account: show it once. */
  created: InitialCredentials | null
  defaultProjectId: string
}

export interface BootstrapSeed {
  adminEmail: string
  adminPassword?: string
  adminToken?: string
  projectKey?: string
}

/**
 * First start: create the admin (the instance owner), the default project, an admin token and a project key. Later starts
 * only make sure seeded values (LEASH_ADMIN_TOKEN, LEASH_PROJECT_KEY, ...) are present, so CI and
 * scripts can use fixed secrets against an existing data folder.
 */
export async function bootstrap(db: Db, seed: BootstrapSeed, dataDir: string): Promise<BootstrapResult> {
  const hasher = keyHasherFor(db)
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7406001)`)
    const existing = await tx.select().from(users).limit(1)
    let created: InitialCredentials | null = null
    let adminId: string
    let projectId: string
    if (existing.length === 0) {
      const password = seed.adminPassword ?? newSecret('').slice(0, 20)
      const adminToken = seed.adminToken ?? newSecret('lat_')
      const projectKey = seed.projectKey ?? newSecret('lsk_')
      const [admin] = await tx
        .insert(users)
        .values({ email: seed.adminEmail, passwordHash: await hashPassword(password), role: 'admin' })
        .returning()
      const [project] = await tx
        .insert(projects)
        .values({ slug: 'default', name: 'Default project', settings: NEW_PROJECT_SETTINGS })
        .returning()
      if (!admin || !project) throw new Error('bootstrap: insert returned no row')
      adminId = admin.id
      projectId = project.id
      await ensureDefaultRules(tx, projectId)
      await tx.insert(apiTokens).values({
        userId: adminId,
        name: 'initial admin token',
        tokenHash: hasher.hash(adminToken),
        createdBy: adminId,
      })
      await tx.insert(projectKeys).values({
        projectId,
        name: 'initial key',
        keyHash: hasher.hash(projectKey),
        createdBy: adminId,
        prefix: projectKey.slice(0, 8),
      })
      created = { email: seed.adminEmail, password, adminToken, projectKey, projectId }
    } else {
      const [admin] = await tx
        .select()
        .from(users)
        .where(eq(users.role, 'admin'))
        .orderBy(users.createdAt)
        .limit(1)
      const [project] = await tx.select().from(projects).orderBy(projects.createdAt).limit(1)
      if (!admin || !project) throw new Error('bootstrap: users exist but no admin or project')
      adminId = admin.id
      projectId = project.id
      if (seed.adminPassword) {
        await tx
          .update(users)
          .set({ passwordHash: await hashPassword(seed.adminPassword) })
          .where(eq(users.id, adminId))
      }
    }
    if (seed.adminToken) {
      const keyed = hasher.hash(seed.adminToken)
      const legacy = hasher.legacy(seed.adminToken)
      // A row stored before keyed hashes is rewritten rather than duplicated.
      if (keyed !== legacy)
        await tx.update(apiTokens).set({ tokenHash: keyed }).where(eq(apiTokens.tokenHash, legacy))
      await tx
        .insert(apiTokens)
        .values({ userId: adminId, name: 'LEASH_ADMIN_TOKEN', tokenHash: keyed })
        .onConflictDoUpdate({ target: apiTokens.tokenHash, set: { revokedAt: null } })
    }
    if (seed.projectKey) {
      const keyed = hasher.hash(seed.projectKey)
      const legacy = hasher.legacy(seed.projectKey)
      // Rewriting (not re-inserting) keeps a revoked legacy row revoked.
      if (keyed !== legacy)
        await tx.update(projectKeys).set({ keyHash: keyed }).where(eq(projectKeys.keyHash, legacy))
      await tx
        .insert(projectKeys)
        .values({
          projectId,
          name: 'LEASH_PROJECT_KEY',
          keyHash: keyed,
          prefix: seed.projectKey.slice(0, 8),
        })
        // A seeded key that someone revoked stays revoked: seeding never silently re-enables a key.
        .onConflictDoNothing({ target: projectKeys.keyHash })
    }
    return { created, defaultProjectId: projectId }
  })
  if (result.created) writeCredentialsFile(dataDir, result.created)
  return result
}

function writeCredentialsFile(dataDir: string, creds: InitialCredentials): void {
  fs.mkdirSync(dataDir, { recursive: true })
  const file = path.join(dataDir, 'initial-credentials.json')
  fs.writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 })
  fs.chmodSync(file, 0o600)
}
