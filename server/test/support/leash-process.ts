import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

export const CHILD_PROJECT_KEY = 'lsk_child_project_key_0123456789'
export const CHILD_ADMIN_TOKEN = 'lat_child_admin_token_0123456789'

export interface LeashProcess {
  child: ChildProcess
  url: string
  dataDir: string
  /** Everything the process wrote to stderr (its log) so far. */
  log(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Whether it has exited. */
  gone(): boolean
}

/**
 * `leash start` as a real child process (node + tsx), on a free port, with its own data folder unless
 * one is given; resolves once it prints its URL.
 */
export async function startLeashProcess(opts: {
  env: Record<string, string>
  dataDir?: string
  timeoutMs?: number
  /** Program and arguments to run instead of `node --import tsx main.ts start` (e.g. the compiled build). */
  argv?: [string, ...string[]]
}): Promise<LeashProcess> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'leash-proc-'))
  const [program, ...args] = opts.argv ?? [process.execPath, '--import', 'tsx', MAIN, 'start']
  const child = spawn(program, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: '0',
      LEASH_DATA_DIR: dataDir,
      LEASH_PROJECT_KEY: CHILD_PROJECT_KEY,
      LEASH_ADMIN_TOKEN: CHILD_ADMIN_TOKEN,
      LEASH_ADMIN_PASSWORD: 'child-password-123',
      LEASH_SCORING_WORKERS: '0',
      LEASH_ALERTS_ENABLED: 'false',
      ...opts.env,
    },
  })
  let stderr = ''
  let stdout = ''
  let done = false
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true
      resolve({ code, signal })
    }),
  )
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`leash did not start in time:\n${stderr.slice(-3000)}`)),
      opts.timeoutMs ?? 90_000,
    )
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString()
      const m = /Leash is up at (\S+)/.exec(stdout)
      if (m) {
        clearTimeout(t)
        resolve(m[1] as string)
      }
    })
    void exited.then(({ code, signal }) => {
      clearTimeout(t)
      reject(new Error(`leash exited (${code ?? signal}) before starting:\n${stderr.slice(-3000)}`))
    })
  })
  return { child, url, dataDir, log: () => stderr, exited, gone: () => done }
}

/**
 * Starts Leash once more on `dataDir` so it delivers what its spool kept, stops it cleanly, and
 * returns how many rows each event id has in the embedded ClickHouse.
 */
export async function storedRows(dataDir: string, env: Record<string, string>): Promise<Map<string, number>> {
  const leash = await startLeashProcess({ env, dataDir })
  const until = Date.now() + 60_000
  for (;;) {
    const res = await fetch(`${leash.url}/api/ingest/status`, {
      headers: { authorization: `Bearer ${CHILD_ADMIN_TOKEN}` },
    })
    const s = (await res.json()) as { spool: { records: number } }
    if (s.spool.records === 0) break
    if (Date.now() > until) throw new Error(`spool not drained: ${JSON.stringify(s)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  leash.child.kill('SIGTERM')
  const exit = await leash.exited
  if (exit.code !== 0)
    throw new Error(`leash exited with ${exit.code ?? exit.signal}:\n${leash.log().slice(-2000)}`)
  const { createClickHouse } = await import('../../src/db/clickhouse/index.ts')
  const ch = createClickHouse({ dataDir })
  try {
    const rs = await ch.query({
      query: 'SELECT toString(event_id) AS id, count() AS n FROM raw_responses_v1 GROUP BY id',
      format: 'JSONEachRow',
    })
    const rows = (await rs.json()) as Array<{ id: string; n: string }>
    return new Map(rows.map((r) => [r.id, Number(r.n)]))
  } finally {
    await ch.close()
  }
}
