/**
 * `npm run bench:gateway`: what Leash adds on top of a call, measured as it ships, against a fixed-response
 * mock upstream, in one interleaved run:
 *   direct    the mock upstream (node:http, fixed JSON / SSE answers)
 *   floor     a bare node:http keep-alive pass-through proxy -> mock
 *   leash     `leash start` with every default (built-in scorer set, embedded ClickHouse and PGlite in the
 *             process, scorer worker threads) -> mock; CPU and RSS of all its threads from /proc, its
 *             event-loop delay from a preloaded probe (bench/loop-probe.mjs), its spool depth from
 *             GET /api/ingest/status
 *   portkey   Portkey's open-source gateway (`@portkey-ai/gateway`, bench-only devDependency) -> mock,
 *             pinned to 127.0.0.1 (bench/portkey-preload.mjs)
 * c=1 latency (p50/p99/max), streaming TTFB, and c=50 bursts (req/s, p99, CPU per request); for Leash each
 * burst is followed by the time its spool takes to drain, giving the sustained rate. Writes
 * bench/results/gateway.{json,md}. BENCH_QUICK=1: a short run; BENCH_PROFILE=<dir>: a CPU profile of the
 * Leash process; BENCH_NO_PORTKEY=1 leaves Portkey out. Never listens on 8787: every port is a free one.
 */
import { type ChildProcess, fork } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import {
  portkeyHeaders,
  procCpuUs,
  procMemMb,
  type ShippedLeash,
  startPortkey,
  startShippedLeash,
} from './gateway-procs.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const PROJECT_KEY = 'lsk_bench_project_key_0123456789'
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const role = args.get('role') ?? 'main'
const quick = process.env.BENCH_QUICK === '1'

const N_C1 = quick ? 2_000 : 10_000
const ROUND = 500
const N_STREAM = quick ? 500 : 2_000
const STREAM_CHUNKS = 20
const THROUGHPUT_SECONDS = quick ? 3 : 8
const THROUGHPUT_ROUNDS = 2

const CHAT_BODY = Buffer.from(
  JSON.stringify({
    model: 'leash-demo-mini',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'What is the capital of France? Answer in one sentence.' },
    ],
    temperature: 0.2,
  }),
)
const STREAM_BODY = Buffer.from(
  JSON.stringify({
    model: 'leash-demo-mini',
    stream: true,
    messages: [{ role: 'user', content: 'Tell me about Paris in a few words.' }],
  }),
)

// ---------------------------------------------------------------- child roles

function send(msg: unknown): void {
  process.send?.(msg)
}

/** Peak resident set size of this process (Linux VmHWM), MB. */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
    if (m?.[1]) return Number(m[1]) / 1024
  } catch {}
  return process.memoryUsage().rss / 1024 / 1024
}

function onControl(extra: () => Record<string, unknown> = () => ({})): void {
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'stats')
      send({ type: 'stats', peakRssMb: peakRssMb(), rssMb: process.memoryUsage().rss / 2 ** 20, ...extra() })
    if (m.cmd === 'cpu') {
      const u = process.cpuUsage()
      send({ type: 'cpu', us: u.user + u.system })
    }
    if (m.cmd === 'exit') process.exit(0)
  })
  process.on('disconnect', () => process.exit(0))
}

async function listenHttp(server: http.Server): Promise<number> {
  server.keepAliveTimeout = 65_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as AddressInfo).port
}

async function runUpstream(): Promise<void> {
  const json = Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'leash-demo-mini-2025-01-01',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'The capital of France is Paris.', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 31,
        completion_tokens: 8,
        total_tokens: 39,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    }),
  )
  const events = Array.from({ length: STREAM_CHUNKS }, (_, i) =>
    Buffer.from(
      `data: ${JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'leash-demo-mini-2025-01-01',
        choices: [
          {
            index: 0,
            delta: { content: `word${i} ` },
            finish_reason: i === STREAM_CHUNKS - 1 ? 'stop' : null,
          },
        ],
      })}\n\n`,
    ),
  )
  const done = Buffer.from('data: [DONE]\n\n')
  const jsonHeaders = { 'content-type': 'application/json', 'content-length': String(json.length) }
  const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }
  const server = http.createServer((req, res) => {
    const stream = req.headers['x-bench-stream'] === '1'
    req.resume()
    req.on('end', () => {
      if (!stream) {
        res.writeHead(200, jsonHeaders)
        res.end(json)
        return
      }
      res.writeHead(200, sseHeaders)
      res.flushHeaders()
      let i = 0
      // One event per macrotask so each leaves as its own TCP segment, like a model producing tokens.
      const next = () => {
        if (res.destroyed) return
        if (i < events.length) {
          res.write(events[i++])
          setImmediate(next)
        } else res.end(done)
      }
      setImmediate(next)
    })
  })
  const port = await listenHttp(server)
  onControl()
  send({ type: 'ready', port })
}

async function runFloor(upstreamPort: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 })
  const server = http.createServer((req, res) => {
    const up = http.request(
      {
        agent,
        host: '127.0.0.1',
        port: upstreamPort,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers)
        upRes.pipe(res)
      },
    )
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  const port = await listenHttp(server)
  // The floor's own event-loop delay: what the machine's load alone does to a loop that does nothing else.
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  onControl()
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'loop-reset') loop.reset()
    if (m.cmd === 'loop') send({ type: 'loop', max: loop.max / 1e6, p99: loop.percentile(99) / 1e6 })
  })
  send({ type: 'ready', port })
}

// ---------------------------------------------------------------- the client side

// ---------------------------------------------------------------- the client side

interface Child {
  proc: ChildProcess
  port: number
  pid: number
}

async function startChild(childRole: string, extra: string[] = []): Promise<Child> {
  const proc = fork(fileURLToPath(import.meta.url), [`--role=${childRole}`, ...extra], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: ROOT,
  })
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${childRole} exited with ${code}`)))
    proc.on('message', (m: { type?: string; port?: number }) => {
      if (m.type === 'ready') resolve(m.port as number)
    })
  })
  return { proc, port, pid: proc.pid as number }
}

function askChild<T>(c: Child, cmd: string, type: string): Promise<T> {
  return new Promise<T>((resolve) => {
    const on = (m: { type?: string }) => {
      if (m?.type !== type) return
      c.proc.off('message', on)
      resolve(m as T)
    }
    c.proc.on('message', on)
    c.proc.send({ cmd })
  })
}

const clientAgent = new http.Agent({ keepAlive: true, maxSockets: 1 })
let extraHeaders: Record<string, string> = {}

/** One request over a kept-alive connection; resolves with total and first-body-byte times (ns). */
function oneRequest(
  port: number,
  body: Buffer,
  stream: boolean,
): Promise<{ total: number; ttfb: number; events: number; status: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    let ttfb = 0n
    let reads = 0
    let text = ''
    const req = http.request(
      {
        agent: clientAgent,
        host: '127.0.0.1',
        port,
        path: '/v1/chat/completions',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          authorization: `Bearer ${PROJECT_KEY}`,
          ...extraHeaders,
          ...(stream ? { 'x-bench-stream': '1' } : {}),
        },
      },
      (res) => {
        res.on('data', (c: Buffer) => {
          if (reads === 0) ttfb = process.hrtime.bigint() - t0
          reads++
          if (stream) text += c.toString('latin1')
        })
        res.on('end', () => {
          const total = process.hrtime.bigint() - t0
          const events = stream ? text.split('\n\n').filter((e) => e.startsWith('data: ')).length : 0
          resolve({ total: Number(total), ttfb: Number(ttfb), events, status: res.statusCode ?? 0 })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
const us = (ns: number) => Math.round(ns / 100) / 10 // ns -> µs, one decimal
const r2 = (n: number) => Math.round(n * 100) / 100

interface Dist {
  p50: number
  p99: number
  max: number
}
function dist(samples: number[]): Dist {
  const s = [...samples].sort((a, b) => a - b)
  return { p50: us(pct(s, 50)), p99: us(pct(s, 99)), max: us(s[s.length - 1] ?? Number.NaN) }
}

type Path = 'direct' | 'floor' | 'leash' | 'portkey'

/** Interleaved rounds of sequential calls, the order rotating each round so noise hits all paths alike. */
async function interleaved(
  ports: Partial<Record<Path, number>>,
  n: number,
  round: number,
  stream: boolean,
): Promise<Record<string, { total: number[]; ttfb: number[]; events: number[] }>> {
  const order = Object.keys(ports) as Path[]
  const out: Record<string, { total: number[]; ttfb: number[]; events: number[] }> = {}
  for (const p of order) {
    out[p] = { total: [], ttfb: [], events: [] }
    for (let i = 0; i < 200; i++)
      await oneRequest(ports[p] as number, stream ? STREAM_BODY : CHAT_BODY, stream)
  }
  for (let done = 0; done < n; done += round) {
    for (const p of order) {
      for (let i = 0; i < round; i++) {
        const r = await oneRequest(ports[p] as number, stream ? STREAM_BODY : CHAT_BODY, stream)
        if (r.status !== 200) throw new Error(`${p} answered ${r.status}`)
        const o = out[p] as { total: number[]; ttfb: number[]; events: number[] }
        o.total.push(r.total)
        o.ttfb.push(r.ttfb)
        o.events.push(r.events)
      }
    }
    order.push(order.shift() as Path)
  }
  return out
}

interface Burst {
  rps: number
  requests: number
  p99Ms: number
  cpuUsPerReq: number | null
  loopMaxMs?: number
  loopP99Ms?: number
  spoolAfter?: number
  drainS?: number
  sustainedRps?: number
  rssMaxMb?: number
}

async function burst(port: number, pid: number | null): Promise<Burst> {
  const cpu0 = pid ? procCpuUs(pid) : 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    method: 'POST',
    connections: 50,
    pipelining: 1,
    duration: THROUGHPUT_SECONDS,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PROJECT_KEY}`, ...extraHeaders },
    body: CHAT_BODY.toString(),
  })
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`c=50 run had ${result.non2xx} non-2xx, ${result.errors} errors`)
  const cpu1 = pid ? procCpuUs(pid) : 0
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p99Ms: result.latency.p99,
    cpuUsPerReq: pid ? (cpu1 - cpu0) / result.requests.total : null,
  }
}

/** A c=50 burst on Leash, then the time until its spool is drained (sustained = requests / both). */
async function leashBurst(leash: ShippedLeash): Promise<Burst> {
  await leash.resetLoop()
  leash.resetRss()
  const cpu0 = procCpuUs(leash.pid)
  const t0 = performance.now()
  const b = await burst(leash.port, leash.pid)
  const loop = await leash.loop()
  const spoolAfter = (await leash.ingest()).spool.records
  const drainStart = performance.now()
  while ((await leash.ingest()).spool.records > 0 && performance.now() - drainStart < 300_000)
    await new Promise((r) => setTimeout(r, 100))
  const drainS = (performance.now() - drainStart) / 1000
  const totalS = (performance.now() - t0) / 1000
  return {
    ...b,
    // CPU until drained: the recording's cost is counted, not deferred past the measurement.
    cpuUsPerReq: (procCpuUs(leash.pid) - cpu0) / b.requests,
    loopMaxMs: r2(loop.max),
    loopP99Ms: r2(loop.p99),
    spoolAfter,
    drainS: r2(drainS),
    sustainedRps: Math.round(b.requests / totalS),
    rssMaxMb: Math.round(leash.rssMax()),
  }
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-bench-gw-'))
  const stops: Array<() => Promise<void> | void> = []
  const loadStart = os.loadavg()
  try {
    const upstream = await startChild('upstream')
    stops.push(() => void upstream.proc.kill('SIGTERM'))
    const floor = await startChild('floor', [`--upstream=${upstream.port}`])
    stops.push(() => void floor.proc.kill('SIGTERM'))
    process.stdout.write('bench: starting Leash as `npm start` runs it (every default, embedded stores)\n')
    const leash = await startShippedLeash({
      root: ROOT,
      upstreamPort: upstream.port,
      dataDir: path.join(tmp, 'leash'),
      projectKey: PROJECT_KEY,
      ...(process.env.BENCH_PROFILE ? { cpuProfileDir: process.env.BENCH_PROFILE } : {}),
    })
    stops.push(() => leash.stop())
    const pk =
      process.env.BENCH_NO_PORTKEY === '1' ? { error: 'BENCH_NO_PORTKEY=1' } : await startPortkey(ROOT)
    const portkey = 'error' in pk ? null : pk
    if (portkey) stops.push(() => portkey.stop())
    else process.stdout.write(`bench: Portkey path skipped: ${(pk as { error: string }).error}\n`)
    extraHeaders = portkeyHeaders(upstream.port)
    const ports: Partial<Record<Path, number>> = {
      direct: upstream.port,
      floor: floor.port,
      leash: leash.port,
      ...(portkey ? { portkey: portkey.port } : {}),
    }
    const paths = Object.keys(ports) as Path[]
    await new Promise((r) => setTimeout(r, 3_000)) // scorer workers and stores settle
    const idle = {
      leash: Math.round(procMemMb(leash.pid).rss),
      floor: Math.round(procMemMb(floor.pid).rss),
      ...(portkey ? { portkey: Math.round(procMemMb(portkey.pid).rss) } : {}),
    }

    process.stdout.write(`bench: c=1, ${N_C1} calls per path, interleaved in rounds of ${ROUND}\n`)
    await leash.resetLoop()
    const c1raw = await interleaved(ports, N_C1, ROUND, false)
    const c1Loop = await leash.loop()
    const c1 = Object.fromEntries(paths.map((p) => [p, dist(c1raw[p]?.total ?? [])])) as Record<Path, Dist>
    process.stdout.write(`bench: streaming, ${N_STREAM} streams of ${STREAM_CHUNKS} chunks per path\n`)
    const sseRaw = await interleaved(ports, N_STREAM, 100, true)
    const ttfb = Object.fromEntries(paths.map((p) => [p, dist(sseRaw[p]?.ttfb ?? [])])) as Record<Path, Dist>
    const chunksOk = Object.fromEntries(
      paths.map((p) => [p, (sseRaw[p]?.events ?? []).every((n) => n === STREAM_CHUNKS + 1)]),
    )

    process.stdout.write(`bench: c=50, ${THROUGHPUT_ROUNDS} rounds of ${THROUGHPUT_SECONDS} s per path\n`)
    const runs: Record<string, Burst[]> = Object.fromEntries(paths.map((p) => [p, []]))
    const pidOf: Partial<Record<Path, number>> = { floor: floor.pid, leash: leash.pid, portkey: portkey?.pid }
    for (let r = 0; r < THROUGHPUT_ROUNDS; r++) {
      for (const p of r % 2 ? [...paths].reverse() : paths) {
        if (p === 'floor') floor.proc.send({ cmd: 'loop-reset' })
        const b = p === 'leash' ? await leashBurst(leash) : await burst(ports[p] as number, pidOf[p] ?? null)
        if (p === 'floor') {
          const l = await askChild<{ max: number; p99: number }>(floor, 'loop', 'loop')
          b.loopMaxMs = r2(l.max)
          b.loopP99Ms = r2(l.p99)
        }
        if (p === 'portkey' && portkey) b.rssMaxMb = Math.round(portkey.rssMax())
        runs[p]?.push(b)
      }
    }
    const bestOf = (p: Path): Burst => [...(runs[p] ?? [])].sort((a, b) => b.rps - a.rps)[0] as Burst
    const c50 = Object.fromEntries(paths.map((p) => [p, bestOf(p)])) as Record<Path, Burst>
    const leashRuns = runs.leash ?? []
    const loopMax = Math.max(...leashRuns.map((b) => b.loopMaxMs ?? 0))
    const sustained = Math.max(...leashRuns.map((b) => b.sustainedRps ?? 0))
    const status = await leash.ingest()
    const mem = {
      idle,
      peakUnderC50: {
        leash: Math.max(...leashRuns.map((b) => b.rssMaxMb ?? 0)),
        ...(portkey ? { portkey: Math.max(...(runs.portkey ?? []).map((b) => b.rssMaxMb ?? 0)) } : {}),
      },
      vmHwm: {
        leash: Math.round(procMemMb(leash.pid).peak),
        floor: Math.round(procMemMb(floor.pid).peak),
        ...(portkey ? { portkey: Math.round(procMemMb(portkey.pid).peak) } : {}),
      },
    }

    const added = (d: Record<Path, Dist>, p: Path, k: keyof Dist) => r2((d[p]?.[k] ?? 0) - d.direct[k])
    const ratio = (a: number, b: number) => r2(a / b)
    const t = {
      c1P50: ratio(added(c1, 'leash', 'p50'), added(c1, 'floor', 'p50')),
      c1P99: ratio(added(c1, 'leash', 'p99'), added(c1, 'floor', 'p99')),
      loopMaxMs: loopMax,
      sustainedOverFloor: ratio(sustained, c50.floor.rps),
      c50P99: ratio(c50.leash.p99Ms, c50.floor.p99Ms),
      ttfbP99: ratio(added(ttfb, 'leash', 'p99'), added(ttfb, 'floor', 'p99')),
    }
    const met = {
      c1P50: t.c1P50 <= 1.2,
      c1P99: t.c1P99 <= 1.5,
      loopMaxMs: t.loopMaxMs <= 10,
      sustainedOverFloor: t.sustainedOverFloor >= 0.5,
      c50P99: t.c50P99 <= 3,
      ttfbP99: t.ttfbP99 <= 1.5,
    }
    const result = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? '',
        node: process.version,
        loadAverageStart: loadStart.map((l) => r2(l)),
        loadAverageEnd: os.loadavg().map((l) => r2(l)),
      },
      method: {
        leash:
          '`leash start` (server/src/cli/main.ts under tsx, as npm start runs it) with every default: built-in scorer set in worker threads, embedded ClickHouse (chdb) and PGlite in the process; CPU and RSS of all its threads from /proc',
        c1Calls: N_C1,
        round: ROUND,
        streams: N_STREAM,
        streamChunks: STREAM_CHUNKS,
        c50Seconds: THROUGHPUT_SECONDS,
        c50Rounds: THROUGHPUT_ROUNDS,
        quick,
        portkey: portkey
          ? '@portkey-ai/gateway (bench/portkey-preload.mjs: loopback, fetch headers)'
          : (pk as { error: string }).error,
      },
      c1Us: c1,
      c1AddedUs: Object.fromEntries(
        paths.map((p) => [
          p,
          { p50: added(c1, p, 'p50'), p99: added(c1, p, 'p99'), max: added(c1, p, 'max') },
        ]),
      ),
      c1LeashLoopMs: c1Loop,
      streamTtfbUs: ttfb,
      streamTtfbAddedP99Us: Object.fromEntries(paths.map((p) => [p, added(ttfb, p, 'p99')])),
      streamChunksOneForOne: chunksOk,
      c50,
      c50Runs: runs,
      leashSustainedRps: sustained,
      memoryMb: mem,
      recorded: status.insert,
      targets: { measured: t, met },
    }
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true })
    fs.writeFileSync(path.join(ROOT, 'bench/results/gateway.json'), `${JSON.stringify(result, null, 2)}\n`)
    const md = markdown(result, paths)
    fs.writeFileSync(path.join(ROOT, 'bench/results/gateway.md'), md)
    process.stdout.write(`${md}\n`)
  } finally {
    for (const s of stops.reverse()) await s()
    clientAgent.destroy()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the result object is only printed
function markdown(r: any, paths: Path[]): string {
  const yes = (b: boolean) => (b ? 'yes' : '**no**')
  const m = r.targets.measured
  const ok = r.targets.met
  const row = (p: Path) => {
    const b: Burst = r.c50[p]
    return `| ${p} | ${r.c1AddedUs[p].p50} | ${r.c1AddedUs[p].p99} | ${r2(r.c1Us[p].max / 1000)} | ${Math.round(b.rps)} | ${p === 'leash' ? r.leashSustainedRps : '—'} | ${b.p99Ms} | ${b.cpuUsPerReq === null ? '—' : Math.round(b.cpuUsPerReq)} | ${r.streamTtfbAddedP99Us[p]} | ${r.memoryMb.idle[p] ?? '—'} / ${r.memoryMb.peakUnderC50[p] ?? r.memoryMb.vmHwm[p] ?? '—'} |`
  }
  return [
    '# Gateway benchmark (`npm run bench:gateway`)',
    '',
    `${r.date}, ${r.machine.cpus} × ${r.machine.model}, Node ${r.machine.node}; load average ${r.machine.loadAverageStart.join(' ')} at the start, ${r.machine.loadAverageEnd.join(' ')} at the end (the machine is shared: quote the ratios, all from this one interleaved run).`,
    `Leash: ${r.method.leash}. Portkey: ${r.method.portkey}.`,
    `c=1: ${r.method.c1Calls} calls per path in rounds of ${r.method.round}; streaming: ${r.method.streams} streams of ${r.method.streamChunks} chunks; c=50: autocannon, best of ${r.method.c50Rounds} × ${r.method.c50Seconds} s. "Added" = the path minus direct-to-upstream.`,
    '',
    '| path | c=1 added p50 µs | c=1 added p99 µs | c=1 max ms | c=50 req/s | sustained req/s (until the spool drained) | c=50 p99 ms | CPU µs/req (all threads) | stream TTFB added p99 µs | RSS MB idle / peak under c=50 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...paths.map(row),
    '',
    '| target (same run) | measured | met |',
    '|---|---:|:---:|',
    `| c=1 added p50 ≤ 1.2 × the floor's | ${m.c1P50} × | ${yes(ok.c1P50)} |`,
    `| c=1 added p99 ≤ 1.5 × the floor's | ${m.c1P99} × | ${yes(ok.c1P99)} |`,
    `| event-loop delay max ≤ 10 ms under c=50 | ${m.loopMaxMs} ms | ${yes(ok.loopMaxMs)} |`,
    `| sustained ≥ 0.5 × the floor's c=50 rate, spool drained | ${m.sustainedOverFloor} × | ${yes(ok.sustainedOverFloor)} |`,
    `| c=50 p99 ≤ 3 × the floor's | ${m.c50P99} × | ${yes(ok.c50P99)} |`,
    `| stream TTFB added p99 ≤ 1.5 × the floor's | ${m.ttfbP99} × | ${yes(ok.ttfbP99)} |`,
    '',
    `Event-loop delay under c=50 includes time the process waited for a core on this shared machine: the floor's own loop (a bare proxy) showed max ${r.c50Runs.floor.map((b: Burst) => `${b.loopMaxMs} ms`).join(', ')} (p99 ${r.c50Runs.floor.map((b: Burst) => `${b.loopP99Ms} ms`).join(', ')}) in its c=50 runs. RSS peak (VmHWM) over the whole run: ${Object.entries(
      r.memoryMb.vmHwm,
    )
      .map(([k, v]) => `${k} ${v} MB`)
      .join(', ')}.`,
    `Leash event loop during the c=1 phase: p99 ${r2(r.c1LeashLoopMs.p99)} ms, max ${r2(r.c1LeashLoopMs.max)} ms. Per c=50 run (Leash): ${r.c50Runs.leash.map((b: Burst) => `${Math.round(b.rps)} req/s, loop max ${b.loopMaxMs} ms, spool ${b.spoolAfter} records after the burst, drained in ${b.drainS} s`).join('; ')}.`,
    `Streams arrived chunk for chunk: ${paths.map((p) => `${p} ${r.streamChunksOneForOne[p] ? 'yes' : 'no'}`).join(', ')}. Recorded by Leash: ${r.recorded.written} exchanges, ${r.recorded.scored} score rows.`,
    '',
  ].join('\n')
}

const num = (k: string) => Number(args.get(k))
const roles: Record<string, () => Promise<void>> = {
  main,
  upstream: runUpstream,
  floor: () => runFloor(num('upstream')),
}
const run = roles[role]
if (!run) throw new Error(`unknown role ${role}`)
run().catch((err: unknown) => {
  process.stderr.write(`bench ${role} failed: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
