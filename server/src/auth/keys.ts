import { eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/postgres/index.ts'
import { projectKeys } from '../db/postgres/index.ts'
import { keyHasherFor } from './key-hash.ts'

interface CachedKey {
  projectId: string | null
  /** epoch ms after which the entry is re-checked against Postgres. */
  freshUntil: number
}

export interface ProjectKeyResolver {
  resolve(rawKey: string): Promise<{ projectId: string } | null>
  /** Loads every active key so the gateway authenticates from memory, even while Postgres is down. */
  warm(): Promise<void>
  close(): void
}

const POSITIVE_TTL_MS = 30_000
const NEGATIVE_TTL_MS = 5_000
/**
 * Every replica asks Postgres this often whether any key was revoked since its last look (one tiny
 * query), reloads its keys when so, and records which keys were used. With the gateway's one-second
 * memo, a revoked key stops working within ~3 s everywhere.
 */
export const REVOCATION_POLL_MS = 2_000

/**
 * Project-key lookups served from memory. A miss asks Postgres once; if Postgres fails, a known key
 * keeps working from its stale entry so traffic never stops because the control plane is down.
 */
export function createKeyResolver(db: Db, log: (msg: string) => void): ProjectKeyResolver {
  const hasher = keyHasherFor(db)
  const cache = new Map<string, CachedKey>()
  const inflight = new Map<string, Promise<string | null>>()
  let timer: NodeJS.Timeout | undefined
  let poller: NodeJS.Timeout | undefined
  let revokedVersion: string | undefined
  const used = new Set<string>()

  /** Reloads the keys when the revocation version moved; flushes last-used times. */
  async function poll(): Promise<void> {
    const [v] = await db
      .select({ n: sql<string>`count(*)::text || ':' || coalesce(max(${projectKeys.revokedAt})::text, '')` })
      .from(projectKeys)
      .where(isNotNull(projectKeys.revokedAt))
    if (v && revokedVersion !== undefined && v.n !== revokedVersion) await warm()
    if (v) revokedVersion = v.n
    if (used.size > 0) {
      const hashes = [...used]
      used.clear()
      await db.update(projectKeys).set({ lastUsedAt: new Date() }).where(inArray(projectKeys.keyHash, hashes))
    }
  }

  /** Accepts the keyed hash or a legacy SHA-256 row; a legacy row in use is rewritten to the keyed hash. */
  async function lookup(rawKey: string): Promise<string | null> {
    const keyed = hasher.hash(rawKey)
    const rows = await db
      .select({
        hash: projectKeys.keyHash,
        projectId: projectKeys.projectId,
        revokedAt: projectKeys.revokedAt,
      })
      .from(projectKeys)
      .where(inArray(projectKeys.keyHash, hasher.candidates(rawKey)))
    const row = rows.find((r) => r.hash === keyed) ?? rows[0]
    if (!row || row.revokedAt !== null) return null
    if (row.hash !== keyed) {
      await db
        .update(projectKeys)
        .set({ keyHash: keyed })
        .where(eq(projectKeys.keyHash, row.hash))
        .catch((e: Error) => log(`project key rehash failed: ${e.message}`))
    }
    return row.projectId
  }

  async function warm(): Promise<void> {
    const rows = await db
      .select({ hash: projectKeys.keyHash, projectId: projectKeys.projectId })
      .from(projectKeys)
      .where(isNull(projectKeys.revokedAt))
    const freshUntil = Date.now() + POSITIVE_TTL_MS
    const active = new Set<string>()
    for (const r of rows) {
      active.add(r.hash)
      cache.set(r.hash, { projectId: r.projectId, freshUntil })
    }
    for (const [hash, entry] of cache) if (entry.projectId && !active.has(hash)) cache.delete(hash)
  }

  return {
    async resolve(rawKey) {
      const hash = hasher.hash(rawKey)
      const legacyHash = hasher.legacy(rawKey)
      // A legacy entry (loaded by warm before its row was rehashed) serves only while Postgres is down.
      const keyedHit = cache.get(hash)
      const hit = keyedHit ?? (legacyHash !== hash ? cache.get(legacyHash) : undefined)
      const now = Date.now()
      if (keyedHit?.projectId && used.size < 10_000) used.add(hash)
      if (keyedHit && keyedHit.freshUntil > now)
        return keyedHit.projectId ? { projectId: keyedHit.projectId } : null
      let pending = inflight.get(hash)
      if (!pending) {
        pending = lookup(rawKey).finally(() => inflight.delete(hash))
        inflight.set(hash, pending)
      }
      try {
        const projectId = await pending
        cache.set(hash, { projectId, freshUntil: now + (projectId ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS) })
        if (legacyHash !== hash) cache.delete(legacyHash)
        if (projectId && used.size < 10_000) used.add(hash)
        return projectId ? { projectId } : null
      } catch (err) {
        if (hit?.projectId) return { projectId: hit.projectId }
        log(`project key lookup failed: ${(err as Error).message}`)
        throw err
      }
    },
    async warm() {
      await warm()
      timer ??= setInterval(
        () => warm().catch((e: Error) => log(`key refresh failed: ${e.message}`)),
        POSITIVE_TTL_MS,
      )
      timer.unref()
      await poll().catch(() => {})
      poller ??= setInterval(
        () => poll().catch((e: Error) => log(`key revocation check failed: ${e.message}`)),
        REVOCATION_POLL_MS,
      )
      poller.unref()
    },
    close() {
      if (timer) clearInterval(timer)
      if (poller) clearInterval(poller)
    },
  }
}
