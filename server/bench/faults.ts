/**
 * `npm run bench:faults [-- --full] [--skip a,b]`: the faults of issue 11 against real parts, each
 * reporting calls answered (the caller saw the end of the answer), stored (rows in ClickHouse), lost
 * (answered and not stored), duplicated (rows stored more than once) and time to recover.
 *
 *   postgres    PostgreSQL (own throwaway cluster) stopped immediate under traffic (8 s; 30 s --full)
 *   disk        the data folder's tmpfs filled, then freed, under traffic (6 s; 20 s --full; root only)
 *   kill        SIGKILL x3 at random moments under plain and streaming traffic
 *   sigterm     SIGTERM with three open streams and one call waiting for headers
 *   poison      calls with lone surrogates mixed into traffic
 *   clickhouse  the pipeline's inserts fail like an unreachable ClickHouse (10 s; 60 s --full), in process
 *
 * Writes bench/results/faults.{json,md}.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import {
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
} from '../src/db/clickhouse/index.ts'
import { createGateway } from '../src/gateway/index.ts'
import { createPipeline } from '../src/ingest/pipeline.ts'
import {
  CHILD_ADMIN_TOKEN,
  CHILD_PROJECT_KEY,
  type LeashProcess,
  startLeashProcess,
  storedRows,
} from '../test/support/leash-process.ts'
import { createThrowawayPostgres, postgresBinDir } from '../test/support/throwaway-postgres.ts'
import { runTraffic } from '../test/support/traffic.ts'
import { startTestUpstream } from '../test/support/upstream.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const argv = process.argv.slice(2)
const FULL = argv.includes('--full')
const skipAt = argv.indexOf('--skip')
const SKIP = new Set(skipAt >= 0 ? (argv[skipAt + 1] ?? '').split(',') : [])
const PG_OUTAGE_MS = FULL ? 30_000 : 8_000
const DISK_FULL_MS = FULL ? 20_000 : 6_000
const CH_OUTAGE_MS = FULL ? 60_000 : 10_000
const WORKERS = 4

const say = (msg: string) => process.stdout.write(`${msg}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

interface FaultResult {
  fault: string
  answered: number
  stored: number
  lost: number
  duplicated: number
  /** Time from the fault's end (or the restart) to normal service; null when not applicable. */
  recoverMs: number | null
  detail: Record<string, unknown>
}

function tally(answered: string[], rows: Map<string, number>) {
  return {
    answered: answered.length,
    stored: rows.size,
    lost: answered.filter((id) => !rows.has(id)).length,
    duplicated: [...rows.values()].filter((n) => n !== 1).length,
  }
}

async function status(leash: LeashProcess, p = '/api/ingest/status') {
  const t0 = performance.now()
  const res = await fetch(`${leash.url}${p}`, {
    headers: { authorization: `Bearer ${CHILD_ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(10_000),
  })
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    ms: performance.now() - t0,
  }
}

async function stopClean(leash: LeashProcess) {
  leash.child.kill('SIGTERM')
  return leash.exited
}

async function postgresFault(): Promise<FaultResult | string> {
  const bin = postgresBinDir()
  if (!bin) return 'skipped: no PostgreSQL server binaries under /usr/lib/postgresql'
  const pg = await createThrowawayPostgres(bin)
  const upstream = await startTestUpstream()
  const dataDir = tmp('leash-fault-pg-')
  try {
    await pg.start()
    const env = { DATABASE_URL: pg.url, LEASH_UPSTREAM_URL: upstream.baseUrl, LEASH_UPSTREAM_API_KEY: 'sk' }
    const leash = await startLeashProcess({ env, dataDir })
    const traffic = runTraffic(`${leash.url}/v1`, CHILD_PROJECT_KEY, WORKERS)
    await sleep(2_000)
    const [a0, f0] = [traffic.answered.length, traffic.failed]
    await pg.stop('immediate')
    const codes = new Map<number, number>()
    let worstApiMs = 0
    const downUntil = Date.now() + PG_OUTAGE_MS
    while (Date.now() < downUntil) {
      const r = await status(leash, '/api/projects')
      codes.set(r.status, (codes.get(r.status) ?? 0) + 1)
      worstApiMs = Math.max(worstApiMs, r.ms)
      await sleep(250)
    }
    const [aOut, fOut] = [traffic.answered.length - a0, traffic.failed - f0]
    await pg.start()
    const t = Date.now()
    while ((await status(leash, '/api/projects')).status !== 200) await sleep(100)
    const recoverMs = Date.now() - t
    await sleep(2_000)
    await traffic.stop()
    const alive = !leash.gone()
    const exit = await stopClean(leash)
    const rows = await storedRows(dataDir, env)
    return {
      fault: `PostgreSQL stopped (immediate) ${PG_OUTAGE_MS / 1000} s under traffic`,
      ...tally(traffic.answered, rows),
      recoverMs,
      detail: {
        answeredDuringOutage: aOut,
        failedDuringOutage: fOut,
        apiStatusesDuringOutage: Object.fromEntries(codes),
        slowestApiAnswerMs: Math.round(worstApiMs),
        gatewayAlive: alive,
        exitAfterSigterm: exit.code,
      },
    }
  } finally {
    await upstream.close()
    await pg.destroy()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

async function diskFault(): Promise<FaultResult | string> {
  const mnt = tmp('leash-fault-disk-')
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=768m', 'tmpfs', mnt], { stdio: 'ignore' })
  } catch {
    fs.rmSync(mnt, { recursive: true, force: true })
    return 'skipped: cannot mount a tmpfs here (needs root)'
  }
  const upstream = await startTestUpstream()
  const dataDir = path.join(mnt, 'data')
  const filler = path.join(mnt, 'filler')
  try {
    const env = { LEASH_UPSTREAM_URL: upstream.baseUrl, LEASH_UPSTREAM_API_KEY: 'sk' }
    const leash = await startLeashProcess({ env, dataDir })
    const traffic = runTraffic(`${leash.url}/v1`, CHILD_PROJECT_KEY, WORKERS)
    await sleep(2_000)
    const fd = fs.openSync(filler, 'w')
    const block = Buffer.alloc(1024 * 1024, 1)
    try {
      for (;;) fs.writeSync(fd, block)
    } catch {}
    try {
      for (;;) fs.writeSync(fd, block, 0, 512)
    } catch {}
    fs.closeSync(fd)
    const a0 = traffic.answered.length
    await sleep(DISK_FULL_MS)
    const during = (await status(leash)).body as { spool: Record<string, unknown> }
    const aFull = traffic.answered.length - a0
    fs.rmSync(filler)
    const t = Date.now()
    for (;;) {
      const s = (await status(leash)).body as { spool: { diskFull: boolean; memoryBytes: number } }
      if (!s.spool.diskFull && s.spool.memoryBytes === 0) break
      await sleep(100)
    }
    const recoverMs = Date.now() - t
    await sleep(1_000)
    await traffic.stop()
    const after = (await status(leash)).body as { spool: Record<string, unknown> }
    const exit = await stopClean(leash)
    const rows = await storedRows(dataDir, env)
    return {
      fault: `data folder's disk (768 MB tmpfs) full for ${DISK_FULL_MS / 1000} s, then freed`,
      ...tally(traffic.answered, rows),
      recoverMs,
      detail: {
        answeredWhileFull: aFull,
        spoolWhileFull: {
          diskFull: during.spool.diskFull,
          memoryBytes: during.spool.memoryBytes,
          writeErrors: during.spool.writeErrors,
        },
        droppedDiskFull: after.spool.droppedDiskFull,
        droppedNew: after.spool.droppedNew,
        exitAfterSigterm: exit.code,
      },
    }
  } finally {
    await upstream.close()
    fs.rmSync(filler, { force: true })
    execFileSync('umount', ['-l', mnt])
    fs.rmSync(mnt, { recursive: true, force: true })
  }
}

async function killFault(): Promise<FaultResult> {
  const upstream = await startTestUpstream()
  const dataDir = tmp('leash-fault-kill-')
  try {
    const env = { LEASH_UPSTREAM_URL: upstream.baseUrl, LEASH_UPSTREAM_API_KEY: 'sk' }
    const answered: string[] = []
    const restartMs: number[] = []
    for (let k = 0; k < 3; k++) {
      const t = Date.now()
      const leash = await startLeashProcess({ env, dataDir })
      restartMs.push(Date.now() - t)
      const traffic = runTraffic(`${leash.url}/v1`, CHILD_PROJECT_KEY, WORKERS * 2)
      await sleep(1_500 + Math.floor(Math.random() * 2_000))
      leash.child.kill('SIGKILL')
      await leash.exited
      await traffic.stop()
      answered.push(...traffic.answered)
    }
    const rows = await storedRows(dataDir, env)
    return {
      fault: 'SIGKILL x3 at random moments, plain and streaming traffic',
      ...tally(answered, rows),
      recoverMs: Math.max(...restartMs.slice(1)),
      detail: {
        startToReadyMs: restartMs,
        note: 'recoverMs: slowest start to ready after a kill (the first start is a cold one)',
      },
    }
  } finally {
    await upstream.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

async function sigtermFault(): Promise<FaultResult> {
  const upstream = await startTestUpstream()
  const dataDir = tmp('leash-fault-term-')
  try {
    const env = { LEASH_UPSTREAM_URL: upstream.baseUrl, LEASH_UPSTREAM_API_KEY: 'sk' }
    const leash = await startLeashProcess({ env, dataDir })
    const client = new OpenAI({ apiKey: CHILD_PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const body = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] }
    const hold = { headers: { 'x-upstream-mode': JSON.stringify({ kind: 'hold', chunks: 3 }) } }
    const slow = { headers: { 'x-upstream-mode': JSON.stringify({ kind: 'slow', delayMs: 2_500 }) } }
    const before = upstream.received.length
    const calls = [
      ...[0, 1, 2].map(async () => {
        const { data, response } = await client.chat.completions
          .create({ ...body, stream: true }, hold)
          .withResponse()
        for await (const _ of data) {
        }
        return response.headers.get('x-leash-event-id') ?? ''
      }),
      client.chat.completions
        .create(body, slow)
        .withResponse()
        .then(({ response }) => response.headers.get('x-leash-event-id') ?? ''),
    ].map((p) => p.catch(() => null))
    while (upstream.received.length < before + 4) await sleep(20)
    leash.child.kill('SIGTERM')
    await sleep(1_000)
    upstream.release()
    const t = Date.now()
    const ids = await Promise.all(calls)
    const exit = await leash.exited
    const answered = ids.filter((x): x is string => x !== null)
    const rows = await storedRows(dataDir, env)
    return {
      fault: 'SIGTERM with 3 open streams and 1 call waiting for headers',
      ...tally(answered, rows),
      recoverMs: null,
      detail: { inFlight: 4, exitCode: exit.code, exitMsAfterStreamsReleased: Date.now() - t },
    }
  } finally {
    await upstream.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

async function poisonFault(): Promise<FaultResult> {
  const upstream = await startTestUpstream()
  const dataDir = tmp('leash-fault-poison-')
  try {
    const env = { LEASH_UPSTREAM_URL: upstream.baseUrl, LEASH_UPSTREAM_API_KEY: 'sk' }
    const leash = await startLeashProcess({ env, dataDir })
    const traffic = runTraffic(`${leash.url}/v1`, CHILD_PROJECT_KEY, WORKERS)
    const client = new OpenAI({ apiKey: CHILD_PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const poison: string[] = []
    const until = Date.now() + 5_000
    while (Date.now() < until) {
      const { response } = await client.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: `lone \ud800 surrogate \udfff` }] })
        .withResponse()
      poison.push(response.headers.get('x-leash-event-id') ?? '')
      await sleep(100)
    }
    await traffic.stop()
    await sleep(1_500)
    const s = (await status(leash)).body as { insert: { deadLettered: number; errors: number } }
    await stopClean(leash)
    const rows = await storedRows(dataDir, env)
    const all = [...traffic.answered, ...poison]
    return {
      fault: 'calls with lone surrogates in the middle of traffic',
      ...tally(all, rows),
      recoverMs: null,
      detail: {
        surrogateCalls: poison.length,
        surrogateCallsStored: poison.filter((id) => rows.has(id)).length,
        deadLettered: s.insert.deadLettered,
        insertErrors: s.insert.errors,
      },
    }
  } finally {
    await upstream.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

async function clickhouseFault(): Promise<FaultResult> {
  const dir = tmp('leash-fault-ch-')
  const upstream = await startTestUpstream()
  const ch = createClickHouse({ dataDir: dir })
  let down = false
  const real = insertExchanges(ch)
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' })
  let server: Server | null = null
  try {
    await migrateClickHouse(ch)
    const pipeline = await createPipeline({
      writeExchanges: async (rows, opts) => {
        if (down) throw refused()
        await real(rows, opts)
      },
      writeScores: insertScores(ch),
      scorers: [],
      log: () => {},
      spoolDir: path.join(dir, 'spool'),
      retryMaxMs: 1_000,
    })
    const gateway = createGateway({
      upstream: { baseUrl: upstream.baseUrl, apiKey: 'sk', name: 'bench' },
      keys: { resolve: async (k) => (k === CHILD_PROJECT_KEY ? { projectId: 'p-ch' } : null) },
      sink: pipeline,
      bodyLimitBytes: 1024 * 1024,
      upstreamTimeoutMs: 10_000,
      log: () => {},
    })
    const srv = createServer((req, res) => gateway.handle(req, res))
    server = srv
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1`
    const traffic = runTraffic(base, CHILD_PROJECT_KEY, WORKERS)
    await sleep(2_000)
    down = true
    await sleep(CH_OUTAGE_MS)
    const atEnd = pipeline.stats()
    down = false
    const t = Date.now()
    // Recovered once everything spooled during the outage is stored (traffic keeps flowing meanwhile).
    while (pipeline.stats().written < atEnd.written + atEnd.queued) await sleep(50)
    const recoverMs = Date.now() - t
    await traffic.stop()
    await pipeline.flush()
    await pipeline.close()
    await gateway.close()
    const rs = await ch.query({
      query:
        "SELECT toString(event_id) AS id, count() AS n FROM raw_responses_v1 WHERE project_id = 'p-ch' GROUP BY id",
      format: 'JSONEachRow',
    })
    const rows = new Map(
      ((await rs.json()) as Array<{ id: string; n: string }>).map((r) => [r.id, Number(r.n)]),
    )
    return {
      fault: `ClickHouse inserts failing (ECONNREFUSED) ${CH_OUTAGE_MS / 1000} s under traffic (in process, embedded chdb)`,
      ...tally(traffic.answered, rows),
      recoverMs,
      detail: {
        spooledWhenBack: atEnd.queued,
        note: 'recoverMs: from ClickHouse back until all spooled during the outage is stored; the insert function is what fails',
      },
    }
  } finally {
    await new Promise((r) => (server ? server.close(r) : r(null)))
    await upstream.close()
    await ch.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const faults: Array<[string, () => Promise<FaultResult | string>]> = [
    ['postgres', postgresFault],
    ['disk', diskFault],
    ['kill', killFault],
    ['sigterm', sigtermFault],
    ['poison', poisonFault],
    ['clickhouse', clickhouseFault],
  ]
  const results: Record<string, FaultResult | string> = {}
  for (const [name, run] of faults) {
    if (SKIP.has(name)) continue
    say(`${name}...`)
    const t = Date.now()
    try {
      results[name] = await run()
    } catch (err) {
      results[name] = `failed: ${(err as Error).message.split('\n')[0]}`
    }
    say(`  ${JSON.stringify(results[name])} (${Math.round((Date.now() - t) / 1000)} s)`)
  }
  const command = `npm run bench:faults${FULL ? ' -- --full' : ''}`
  const outDir = path.join(ROOT, 'bench/results')
  fs.mkdirSync(outDir, { recursive: true })
  const meta = { command, at: new Date().toISOString(), node: process.version, cpus: os.cpus().length }
  fs.writeFileSync(path.join(outDir, 'faults.json'), `${JSON.stringify({ ...meta, results }, null, 2)}\n`)
  const lines = [
    `# Fault run (\`${command}\`, ${meta.at}, ${meta.cpus} cores)`,
    '',
    '| fault | answered | stored | lost | duplicated | time to recover |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const [name, r] of Object.entries(results)) {
    if (typeof r === 'string') lines.push(`| ${name} | ${r} | | | | |`)
    else
      lines.push(
        `| ${r.fault} | ${r.answered} | ${r.stored} | ${r.lost} | ${r.duplicated} | ${r.recoverMs === null ? 'n/a' : `${(r.recoverMs / 1000).toFixed(1)} s`} |`,
      )
  }
  lines.push('', '## Details', '')
  for (const [name, r] of Object.entries(results))
    if (typeof r !== 'string') lines.push(`- ${name}: \`${JSON.stringify(r.detail)}\``)
  fs.writeFileSync(path.join(outDir, 'faults.md'), `${lines.join('\n')}\n`)
  say(lines.join('\n'))
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`)
    process.exit(1)
  },
)
