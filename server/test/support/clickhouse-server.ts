import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** A throwaway Debian clickhouse-server (18.16) on loopback, for smoke tests of the HTTP path. */
export interface ClickHouseServer {
  /** `http://127.0.0.1:<port>` without credentials. */
  url: string
  httpPort: number
  dir: string
  stop(): Promise<void>
}

/** A second user with a password, so tests can exercise `user:password@` URLs. */
export const SMOKE_USER = { name: 'leash', password: 'smoke-pass' }

const CANDIDATES = [
  { command: '/usr/bin/clickhouse', args: ['server'] },
  { command: '/usr/sbin/clickhouse-server', args: [] },
  { command: '/usr/bin/clickhouse-server', args: [] },
]

export function findClickHouseServer(): { command: string; args: string[] } {
  const found = CANDIDATES.find((c) => existsSync(c.command))
  if (!found) {
    throw new Error(
      `clickhouse-server not found (looked for ${CANDIDATES.map((c) => c.command).join(', ')}); ` +
        'install it with `apt-get install clickhouse-server`',
    )
  }
  return found
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

function configXml(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level><console>0</console>
    <log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog>
  </logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
`
}

function usersXml(): string {
  const user = (password: string) =>
    `<password>${password}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>` +
    '<profile>default</profile><quota>default</quota>'
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>${user('')}</default>
    <${SMOKE_USER.name}>${user(SMOKE_USER.password)}</${SMOKE_USER.name}>
  </users>
  <quotas><default></default></quotas>
</yandex>
`
}

async function waitForPing(url: string, child: ChildProcess, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const log = await fs.readFile(path.join(dir, 'server.err.log'), 'utf8').catch(() => '')
      throw new Error(`clickhouse-server exited with ${child.exitCode}:\n${log.slice(-2000)}`)
    }
    const ok = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`clickhouse-server did not answer ${url}/ping within ${timeoutMs} ms`)
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

export async function startClickHouseServer(): Promise<ClickHouseServer> {
  const bin = findClickHouseServer()
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leash-chs-'))
  const [httpPort, tcpPort] = [await freePort(), await freePort()]
  await fs.writeFile(path.join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort))
  await fs.writeFile(path.join(dir, 'users.xml'), usersXml())
  const child = spawn(bin.command, [...bin.args, `--config-file=${path.join(dir, 'config.xml')}`], {
    cwd: dir,
    stdio: 'ignore',
  })
  const url = `http://127.0.0.1:${httpPort}`
  const stop = async () => {
    await stopChild(child)
    await fs.rm(dir, { recursive: true, force: true })
  }
  try {
    await waitForPing(url, child, dir, 30_000)
  } catch (err) {
    await stop()
    throw err
  }
  return { url, httpPort, dir, stop }
}
