import fs from 'node:fs'
import path from 'node:path'
import type { Config } from '../config.ts'

/** What `leash start` leaves in its data folder so other commands can find the running instance. */
export interface RunningInstance {
  url: string
  pid: number
  dataDir: string
  startedAt: string
}

const FILE = 'instance.json'

function instancePath(dataDir: string): string {
  return path.join(dataDir, FILE)
}

export function writeInstanceFile(dataDir: string, info: Omit<RunningInstance, 'dataDir'>): void {
  const body: RunningInstance = { ...info, dataDir }
  fs.writeFileSync(instancePath(dataDir), `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 })
}

/** Removes the file only if it is ours, so a second instance's file survives the first one's exit. */
export function removeInstanceFile(dataDir: string, pid = process.pid): void {
  const found = readInstanceFile(dataDir)
  if (found && found.pid === pid) fs.rmSync(instancePath(dataDir), { force: true })
}

function readInstanceFile(dataDir: string): RunningInstance | null {
  try {
    const raw = JSON.parse(fs.readFileSync(instancePath(dataDir), 'utf8')) as Partial<RunningInstance>
    if (typeof raw.url !== 'string' || typeof raw.pid !== 'number') return null
    return { url: raw.url, pid: raw.pid, dataDir, startedAt: String(raw.startedAt ?? '') }
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The Leash running on this data folder, if any (a stale file from a crash is ignored). */
export function findRunningInstance(dataDir: string): RunningInstance | null {
  const found = readInstanceFile(dataDir)
  return found && found.pid !== process.pid && alive(found.pid) ? found : null
}

/** True when this configuration keeps a store in-process, which only one process may open at a time. */
export function usesEmbeddedStores(config: Pick<Config, 'databaseUrl' | 'clickhouseUrl'>): boolean {
  return !config.databaseUrl || !config.clickhouseUrl
}

export interface InitialCredentials {
  email?: string
  adminToken?: string
  projectKey?: string
}

export function readInitialCredentials(dataDir: string): InitialCredentials {
  try {
    return JSON.parse(
      fs.readFileSync(path.join(dataDir, 'initial-credentials.json'), 'utf8'),
    ) as InitialCredentials
  } catch {
    return {}
  }
}

const SAFE_ARG = /^[\w@%+=:,./-]+$/

/** Quotes a value for a POSIX shell only when it needs it. */
export function shellArg(value: string): string {
  return SAFE_ARG.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`
}
