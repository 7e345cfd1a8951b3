import { createHmac, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { sha256 } from './secrets.ts'

/** Stored form of a keyed hash: `h1:` + hex HMAC-SHA256(server secret, key). A plain 64-hex value is legacy SHA-256. */
export const KEYED_PREFIX = 'h1:'

/**
 * How API keys and admin tokens are stored. `hash` is what new rows get; `candidates` are the
 * stored forms a lookup accepts (the keyed hash first, then the legacy SHA-256).
 */
export interface KeyHasher {
  hash(raw: string): string
  legacy(raw: string): string
  candidates(raw: string): string[]
}

/** `secret` null = legacy SHA-256 only (a database no Leash bound a secret to, e.g. a bare test store). */
export function createKeyHasher(secret: string | null): KeyHasher {
  const hash = secret
    ? (raw: string) => `${KEYED_PREFIX}${createHmac('sha256', secret).update(raw).digest('hex')}`
    : sha256
  return {
    hash,
    legacy: sha256,
    candidates(raw) {
      const keyed = hash(raw)
      const old = sha256(raw)
      return keyed === old ? [keyed] : [keyed, old]
    },
  }
}

/**
 * One hasher per database handle, so two Leash instances in one process (each with its own pool)
 * keep their own secrets, and code that only has `db` (resolvers, routes) finds the right one.
 */
const bound = new WeakMap<object, KeyHasher>()
const LEGACY_ONLY = createKeyHasher(null)

export function bindKeyHasher(db: object, hasher: KeyHasher): void {
  bound.set(db, hasher)
}

export function keyHasherFor(db: object): KeyHasher {
  return bound.get(db) ?? LEGACY_ONLY
}

/**
 * The server secret: `LEASH_SECRET` when set (replicas sharing one PostgreSQL must set the same
 * value), else `<dataDir>/secret`, generated once (mode 0600) and reused on every later start.
 */
export function loadServerSecret(envSecret: string | undefined, dataDir: string): string {
  if (envSecret) return envSecret
  const file = path.join(dataDir, 'secret')
  fs.mkdirSync(dataDir, { recursive: true })
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  fs.chmodSync(file, 0o600)
  const secret = fs.readFileSync(file, 'utf8').trim()
  if (secret.length < 16) throw new Error(`${file}: server secret is shorter than 16 characters`)
  return secret
}
