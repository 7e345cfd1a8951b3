/**
 * The processes `bench:gateway` measures as they ship: Leash started by its own CLI (`leash start`, every
 * default: the built-in scorer set, embedded ClickHouse and PGlite in the process, scoring worker
 * threads) and Portkey's open-source gateway. CPU and memory are read from /proc, so every thread of a
 * process counts (the event loop, scorer workers, chdb's and libuv's threads).
 */
import { type ChildProcess, fork } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'

const TICK_US = 1e6 / 100 // /proc/<pid>/stat times are in clock ticks (USER_HZ = 100 on Linux)

/** User + system CPU of every thread of `pid` so far, µs. */
export function procCpuUs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) * TICK_US // utime, stime (fields 14 and 15)
}

/** Resident and peak resident memory of `pid`, MB. */
export function procMemMb(pid: number): { rss: number; peak: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) / 1024
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}

export async function freePort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

async function waitHttp(port: number, pathName: string, proc: ChildProcess, ms = 180_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`process exited with ${proc.exitCode} before answering`)
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: pathName, timeout: 2_000 }, (res) => {
        res.resume()
        resolve((res.statusCode ?? 500) < 500)
      })
      req.on('error', () => resolve(false))
      req.on('timeout', () => req.destroy())
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`nothing answered on port ${port} within ${ms} ms`)
}

export interface Proc {
  proc: ChildProcess
  port: number
  pid: number
  /** Peak RSS sampled every 250 ms since the last `resetRss` (VmHWM cannot be reset), MB. */
  rssMax(): number
  resetRss(): void
  stop(): Promise<void>
}

function track(proc: ChildProcess, port: number): Proc {
  const pid = proc.pid as number
  let max = 0
  const sample = () => {
    try {
      max = Math.max(max, procMemMb(pid).rss)
    } catch {}
  }
  const timer = setInterval(sample, 250)
  timer.unref()
  return {
    proc,
    port,
    pid,
    rssMax: () => {
      sample()
      return max
    },
    resetRss: () => {
      max = 0
      sample()
    },
    stop: async () => {
      clearInterval(timer)
      if (proc.exitCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(t)
    },
  }
}

export interface ShippedLeash extends Proc {
  adminToken: string
  /** The main thread's event-loop delay since the last reset, ms (bench/loop-probe.mjs). */
  loop(): Promise<{ p50: number; p99: number; max: number }>
  resetLoop(): Promise<void>
  /** `GET /api/ingest/status`: spool depth and insert counters. */
  ingest(): Promise<{ spool: { records: number }; insert: { written: number; scored: number } }>
}

/** `leash start` as `npm start` runs it (the inner process, under tsx), on a free loopback port. */
export async function startShippedLeash(opts: {
  root: string
  upstreamPort: number
  dataDir: string
  projectKey: string
  cpuProfileDir?: string
}): Promise<ShippedLeash> {
  const port = await freePort()
  const adminToken = 'lat_bench_admin_token_0123456789abcdef'
  const proc = fork(path.join(opts.root, 'server/src/cli/main.ts'), ['start'], {
    cwd: opts.root,
    execArgv: [
      '--import',
      'tsx',
      '--import',
      path.join(opts.root, 'server/bench/loop-probe.mjs'),
      ...(opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : []),
    ],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LEASH_DATA_DIR: opts.dataDir,
      LEASH_UPSTREAM_URL: `http://127.0.0.1:${opts.upstreamPort}/v1`,
      LEASH_UPSTREAM_API_KEY: 'sk-bench-upstream',
      LEASH_PROJECT_KEY: opts.projectKey,
      LEASH_ADMIN_TOKEN: adminToken,
      LEASH_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  await waitHttp(port, '/healthz', proc)
  const ask = <T>(cmd: string, type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type?: string }) => {
        if (m?.type !== type) return
        proc.off('message', on)
        resolve(m as T)
      }
      proc.on('message', on)
      proc.send({ cmd })
    })
  const base = track(proc, port)
  return {
    ...base,
    adminToken,
    loop: () => ask('loop', 'loop'),
    resetLoop: async () => {
      await ask('loop-reset', 'loop-reset')
    },
    ingest: () =>
      new Promise((resolve, reject) => {
        const req = http.get(
          {
            host: '127.0.0.1',
            port,
            path: '/api/ingest/status',
            headers: { authorization: `Bearer ${adminToken}` },
          },
          (res) => {
            let body = ''
            res.on('data', (c) => (body += c))
            res.on('end', () =>
              res.statusCode === 200
                ? resolve(JSON.parse(body))
                : reject(new Error(`ingest status ${res.statusCode}: ${body.slice(0, 200)}`)),
            )
          },
        )
        req.on('error', reject)
      }),
  }
}

/** Portkey's gateway (`@portkey-ai/gateway`), pinned to 127.0.0.1 by bench/portkey-preload.mjs. */
export async function startPortkey(root: string): Promise<Proc | { error: string }> {
  let entry: string
  try {
    entry = path.join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js')
    if (!fs.existsSync(entry)) return { error: '@portkey-ai/gateway is not installed (npm ci)' }
  } catch (err) {
    return { error: (err as Error).message }
  }
  const port = await freePort()
  const proc = fork(entry, [`--port=${port}`, '--headless'], {
    cwd: os.tmpdir(),
    execArgv: ['--import', path.join(root, 'server/bench/portkey-preload.mjs')],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  try {
    await waitHttp(port, '/', proc, 60_000)
  } catch (err) {
    proc.kill('SIGKILL')
    return { error: `Portkey did not start: ${(err as Error).message}` }
  }
  return track(proc, port)
}

/** Headers that route a call through Portkey to the mock (OpenAI provider, custom host); others ignore them. */
export function portkeyHeaders(upstreamPort: number): Record<string, string> {
  return {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `http://127.0.0.1:${upstreamPort}/v1`,
  }
}
