import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'

/** Where Debian puts the server binaries (`postgresql-15` and friends); null when not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!fs.existsSync(root)) return null
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? path.join(root, versions[0], 'bin') : null
}

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as net.AddressInfo).port
  await new Promise((r) => srv.close(r))
  return port
}

export interface ThrowawayPostgres {
  url: string
  port: number
  start(): Promise<void>
  /** `fast` (SIGINT) or `immediate` (SIGQUIT, like a crash: no shutdown handshake with clients). */
  stop(mode: 'fast' | 'immediate'): Promise<void>
  running(): boolean
  destroy(): Promise<void>
}

/**
 * A PostgreSQL cluster of its own in a temp folder, on a free port, that a test may stop and start at
 * will (the shared test server is never touched). As root it runs as the `postgres` OS user.
 */
export async function createThrowawayPostgres(bin: string): Promise<ThrowawayPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-pg-'))
  const data = path.join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  let ids: { uid: number; gid: number } | undefined
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    ids = { uid, gid }
    fs.chownSync(dir, uid, gid)
  }
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-N', '-E', 'UTF8'], {
    stdio: 'ignore',
    ...ids,
  })
  const port = await freePort()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  let child: ChildProcess | null = null
  let exited: Promise<void> = Promise.resolve()

  async function ready(): Promise<void> {
    const until = Date.now() + 30_000
    for (;;) {
      const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} })
      try {
        await sql`select 1`
        return
      } catch (err) {
        if (Date.now() > until) throw err
        await new Promise((r) => setTimeout(r, 100))
      } finally {
        await sql.end({ timeout: 1 }).catch(() => {})
      }
    }
  }

  return {
    url,
    port,
    running: () => child !== null,
    async start() {
      const c = spawn(
        path.join(bin, 'postgres'),
        ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
        { stdio: 'ignore', ...ids },
      )
      child = c
      exited = new Promise((r) => c.once('exit', () => r()))
      await ready()
    },
    async stop(mode) {
      const c = child
      if (!c) return
      c.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT')
      await exited
      child = null
    },
    async destroy() {
      if (child) {
        child.kill('SIGQUIT')
        await exited
        child = null
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
