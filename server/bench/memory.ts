/**
 * `npm run bench:memory`: resident memory of Leash as `npm start` runs it (compiled JavaScript,
 * embedded PGlite and chdb in the process, the default scorer threads), part by part and whole.
 *
 * Parts, each in a fresh child process so each figure is its own (MB RSS, after a GC):
 *   node baseline; PGlite opened + migrated (new data folder, then reopened; PGlite's defaults beside
 *   Leash's settings); chdb opened + migrated; the scorer pool loaded.
 * Whole: the compiled `leash start` (what `npm start` execs) against a loopback mock upstream: idle
 * after start, peak under autocannon c=50 on /v1/chat/completions sampled every 100 ms until the spool
 * drained, idle after; then a restart on the same data folder; and the same start through tsx.
 * The process tree is summed (the start leaves no child; PGlite's initdb child is gone by then).
 * Writes bench/results/memory.json and bench/results/memory.md. `BENCH_QUICK=1`: a short load.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DIST = path.join(ROOT, 'server/dist')
const PROJECT_KEY = 'lsk_bench_project_key_0123456789'
const quick = process.env.BENCH_QUICK === '1'
const LOAD_SECONDS = quick ? 5 : 20
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10

const CHAT_BODY = JSON.stringify({
  model: 'leash-demo-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'What is the capital of France? Answer in one sentence.' },
  ],
})

interface Mem {
  rss: number
  /** Private (anonymous) pages; the rest of RSS is file-backed, mostly chdb's 566 MB libchdb.so. */
  anon: number
}

const statusMem = (status: string): Mem => ({
  rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024,
  anon: Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024,
})

/** RSS and anonymous RSS of a process and all its descendants, in bytes, from /proc. */
function treeMem(pid: number): Mem {
  const total = { rss: 0, anon: 0 }
  const stack = [pid]
  while (stack.length > 0) {
    const p = stack.pop() as number
    try {
      const m = statusMem(fs.readFileSync(`/proc/${p}/status`, 'utf8'))
      total.rss += m.rss
      total.anon += m.anon
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim()
        if (kids) stack.push(...kids.split(/\s+/).map(Number))
      }
    } catch {
      // gone
    }
  }
  return total
}

/** Runs an ESM snippet in a fresh node (compiled imports), then reads its memory from /proc/self/status. */
function part(code: string): Mem {
  const script = `${code}
globalThis.gc(); await new Promise((r) => setTimeout(r, 300)); globalThis.gc()
const statusFs = await import('node:fs')
console.log(statusFs.readFileSync('/proc/self/status', 'utf8').replace(/\\n/g, ' '))
process.exit(0)`
  // A file, not `-e`: worker threads inherit the flags, and `--input-type` would stop them.
  const file = path.join(ROOT, 'server/dist', `bench-memory-part-${process.pid}.mjs`)
  fs.writeFileSync(file, script)
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', '--conditions=leash-dist', file], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    })
    return statusMem(out)
  } finally {
    fs.rmSync(file, { force: true })
  }
}

const distUrl = (p: string) => JSON.stringify(new URL(`file://${path.join(DIST, p)}`).href)

function measureParts(tmp: string): Record<string, Mem> {
  const pgDir = path.join(tmp, 'pg')
  const pgDefaultsDir = path.join(tmp, 'pg-defaults')
  const openPg = (dir: string) => `const { openPostgres } = await import(${distUrl('db/postgres/client.js')})
const pg = await openPostgres({ dataDir: ${JSON.stringify(dir)} }); await pg.migrate()`
  const pgDefaults = (dir: string) => `const { PGlite } = await import('@electric-sql/pglite')
const fs = await import('node:fs'); fs.mkdirSync(${JSON.stringify(dir)}, { recursive: true })
const pg = await PGlite.create(${JSON.stringify(dir)}); await pg.query('select 1')`
  return {
    nodeBaseline: part('await Promise.resolve()'),
    pgliteNew: part(openPg(pgDir)),
    pgliteReopened: part(openPg(pgDir)),
    pgliteDefaultsNew: part(pgDefaults(pgDefaultsDir)),
    pgliteDefaultsReopened: part(pgDefaults(pgDefaultsDir)),
    chdb: part(`const ch = await import(${distUrl('db/clickhouse/index.js')})
const c = ch.createClickHouse({ dataDir: ${JSON.stringify(path.join(tmp, 'ch'))} })
await ch.migrateClickHouse(c, { log: () => {} })`),
    scorerPool: part(`const { ScorerPool } = await import(${distUrl('scoring/workers/pool.js')})
await ScorerPool.create({})`),
  }
}

async function mockUpstream(): Promise<{ url: string; close(): void }> {
  const json = Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'leash-demo-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'The capital of France is Paris.' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 24, completion_tokens: 8, total_tokens: 32 },
    }),
  )
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': json.length })
      res.end(json)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}/v1`, close: () => server.close() }
}

interface Started {
  child: ChildProcess
  url: string
  exited: Promise<void>
}

async function startLeash(argv: string[], dataDir: string, upstreamUrl: string): Promise<Started> {
  const [program, ...rest] =
    argv[0] === 'npm' || argv[0] === 'sh' ? argv : [process.execPath, ...argv, 'start']
  const child = spawn(program as string, rest, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, stopped as a whole the way Ctrl-C stops a terminal's.
    detached: true,
    env: {
      ...process.env,
      PORT: '0',
      LEASH_DATA_DIR: dataDir,
      LEASH_UPSTREAM_URL: upstreamUrl,
      LEASH_PROJECT_KEY: PROJECT_KEY,
      LEASH_ADMIN_PASSWORD: 'bench-password-123',
      TURBO_TELEMETRY_DISABLED: '1',
    },
  })
  let out = ''
  let err = ''
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString()
  })
  const exited = new Promise<void>((r) => child.on('exit', () => r()))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /Leash is up at (\S+)/.exec(out)
      if (m) resolve(m[1] as string)
    })
    void exited.then(() => reject(new Error(`leash exited before starting:\n${err.slice(-2000)}`)))
  })
  return { child, url, exited }
}

async function stop(l: Started): Promise<void> {
  process.kill(-(l.child.pid as number), 'SIGINT')
  await l.exited
}

async function spoolRecords(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/^leash_spool_records (\S+)$/m.exec(text)?.[1] ?? Number.NaN)
}

/** Idle RSS: after the start settles (scorer threads loaded, first health report written). */
async function idleMem(pid: number): Promise<Mem> {
  await sleep(8_000)
  return treeMem(pid)
}

async function underLoad(l: Started): Promise<{ peak: Mem; requests: number; drainedMs: number }> {
  const pid = l.child.pid as number
  const peak = treeMem(pid)
  const sampler = setInterval(() => {
    const m = treeMem(pid)
    peak.rss = Math.max(peak.rss, m.rss)
    peak.anon = Math.max(peak.anon, m.anon)
  }, 100)
  const result = await autocannon({
    url: `${l.url}/v1/chat/completions`,
    method: 'POST',
    connections: 50,
    duration: LOAD_SECONDS,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PROJECT_KEY}` },
    body: CHAT_BODY,
  })
  const t = Date.now()
  while ((await spoolRecords(l.url)) > 0 && Date.now() - t < 120_000) await sleep(200)
  const drainedMs = Date.now() - t
  clearInterval(sampler)
  return { peak, requests: result.requests.total, drainedMs }
}

async function main(): Promise<void> {
  console.log('building server/dist (as npm start does)...')
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc')
  execFileSync(tsc, ['-p', 'shared/tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
  execFileSync(tsc, ['-p', 'server/tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-bench-memory-'))
  const upstream = await mockUpstream()
  try {
    console.log('parts...')
    const parts = measureParts(tmp)
    const compiled = ['--conditions=leash-dist', path.join(DIST, 'cli/main.js')]
    const dataDir = path.join(tmp, 'leash')

    console.log('whole process, compiled, first start...')
    let l = await startLeash(compiled, dataDir, upstream.url)
    const idleFirstStart = await idleMem(l.child.pid as number)
    console.log(`c=50 for ${LOAD_SECONDS} s...`)
    const load = await underLoad(l)
    const idleAfterLoad = await idleMem(l.child.pid as number)
    await stop(l)

    console.log('restart on the same data folder...')
    l = await startLeash(compiled, dataDir, upstream.url)
    const idleRestart = await idleMem(l.child.pid as number)
    await stop(l)

    // The whole tree as a user gets it: `npm start` (npm stays as the parent of the exec'd node).
    console.log('npm start, whole tree...')
    l = await startLeash(['npm', 'start', '--silent'], path.join(tmp, 'leash-npm'), upstream.url)
    const idleNpmStart = await idleMem(l.child.pid as number)
    await stop(l)

    // Before: what `npm start` ran until issue 15 (npm run leash -> tsx CLI -> node with the tsx loader).
    console.log('before: npm run leash -- start (tsx), whole tree...')
    l = await startLeash(
      ['npm', 'run', '--silent', 'leash', '--', 'start'],
      path.join(tmp, 'leash-tsx'),
      upstream.url,
    )
    const idleTsx = await idleMem(l.child.pid as number)
    await stop(l)

    const both = (m: Mem) => ({ rss: mb(m.rss), anon: mb(m.anon) })
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', node: process.version },
      loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
      partsMB: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, both(v)])),
      wholeMB: {
        idleFirstStart: both(idleFirstStart),
        peakC50: both(load.peak),
        idleAfterLoad: both(idleAfterLoad),
        idleRestart: both(idleRestart),
        idleNpmStart: both(idleNpmStart),
        idleBeforeTsx: both(idleTsx),
      },
      load: {
        connections: 50,
        seconds: LOAD_SECONDS,
        requests: load.requests,
        spoolDrainedAfterMs: load.drainedMs,
      },
      targets: { idleMB: 250, peakMB: 400 },
    }
    const base = result.partsMB.nodeBaseline as { rss: number; anon: number }
    const over = (a: number, b: number) => Math.round((a - b) * 10) / 10
    const partRow = (label: string, key: string) => {
      const m = result.partsMB[key] as { rss: number; anon: number }
      return `| ${label} | ${m.rss} | ${over(m.rss, base.rss)} | ${m.anon} | ${over(m.anon, base.anon)} |`
    }
    const yes = (ok: boolean) => (ok ? 'yes' : 'no')
    const wholeRow = (label: string, m: { rss: number; anon: number }, target?: number) =>
      `| ${label} | ${m.rss} | ${m.anon} | ${target ? `≤ ${target}` : ''} | ${target ? yes(m.rss <= target) : ''} |`
    const w = result.wholeMB
    const md = `# Memory benchmark

${result.date}, ${result.machine.cpus} × ${result.machine.model}, Node ${result.machine.node}, load average at the end ${result.loadavg.join(' / ')}.
\`npm run bench:memory\`: MB after a GC. RSS counts file-backed pages too (mostly chdb's 566 MB \`libchdb.so\`, shared with
the page cache and dropped by the kernel under pressure); anon is private memory. Parts each in a fresh process;
whole = the compiled \`leash start\` that \`npm start\` execs (process tree), embedded PGlite + chdb, default scorer
threads, loopback mock upstream.

| part | RSS | RSS over node | anon | anon over node |
|---|---:|---:|---:|---:|
${partRow('node baseline', 'nodeBaseline')}
${partRow('PGlite, new data folder (initdb in a child), migrated', 'pgliteNew')}
${partRow('PGlite, reopened', 'pgliteReopened')}
${partRow('PGlite with its defaults (before), new data folder', 'pgliteDefaultsNew')}
${partRow('PGlite with its defaults (before), reopened', 'pgliteDefaultsReopened')}
${partRow('chdb opened, migrated', 'chdb')}
${partRow('scorer pool loaded (default size)', 'scorerPool')}

| whole Leash | RSS | anon | RSS target | met |
|---|---:|---:|---:|:---:|
${wholeRow('idle, first start', w.idleFirstStart, 250)}
${wholeRow(`peak under c=50 (${result.load.requests} requests in ${LOAD_SECONDS} s, spool drained ${result.load.spoolDrainedAfterMs} ms after)`, w.peakC50, 400)}
${wholeRow('idle after the load', w.idleAfterLoad, 250)}
${wholeRow('idle, restart on the same data', w.idleRestart, 250)}
${wholeRow('idle, `npm start` whole tree (npm + node)', w.idleNpmStart, 250)}
${wholeRow('idle, `npm run leash -- start` through tsx (the old `npm start`), whole tree', w.idleBeforeTsx)}

\`npm start\` / the old tsx start: ${Math.round((w.idleNpmStart.rss / w.idleBeforeTsx.rss) * 100) / 100} × RSS, ${Math.round((w.idleNpmStart.anon / w.idleBeforeTsx.anon) * 100) / 100} × anon (both with this PGlite configuration).
`
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true })
    fs.writeFileSync(path.join(ROOT, 'bench/results/memory.json'), `${JSON.stringify(result, null, 2)}\n`)
    fs.writeFileSync(path.join(ROOT, 'bench/results/memory.md'), md)
    console.log(md)
  } finally {
    upstream.close()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

await main()
