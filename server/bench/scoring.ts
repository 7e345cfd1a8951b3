/**
 * `npm run bench:scoring`: how fast the built-in scorers run, on one thread and in the worker pool, how
 * fast the ONNX tiny reward model runs, and how much a saturated scoring pool slows the gateway's event
 * loop (a loopback HTTP server in this process) compared with idle. Writes bench/results/scoring.json/.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { availableParallelism, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { ScoreInput, Scorer } from '../src/scoring/scorer.ts'
import { approxTokens } from '../src/scoring/style/index.ts'
import {
  BUILTIN_SCORER_NAMES,
  type BuiltinScorerName,
  loadBuiltinScorer,
} from '../src/scoring/workers/catalog.ts'
import { ScorerPool } from '../src/scoring/workers/pool.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const DATA = resolve(ROOT, '../shared/data')
const TINY_RM = resolve(ROOT, '../shared/models/tiny-rm')
const OUT = join(ROOT, 'bench/results')
const TARGET_TOKENS = 300
const N = Number(process.env.BENCH_ROWS ?? 2000)
const BATCH = 64
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)

/** Real ChatGPT answers (HaluEval) stitched to ~300 tokens; a third carry sources, some tool calls. */
function corpus(n: number): ScoreInput[] {
  const lines = readFileSync(join(DATA, 'halueval/general_data.jsonl'), 'utf8').split('\n').filter(Boolean)
  const rows = lines.map((l) => JSON.parse(l) as { user_query: string; chatgpt_response: string })
  const wice = readFileSync(join(DATA, 'wice/claim_dev.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { evidence: string[] }).evidence)
  const out: ScoreInput[] = []
  for (let i = 0; out.length < n; i++) {
    const first = rows[i % rows.length] as { user_query: string; chatgpt_response: string }
    let response = first.chatgpt_response
    for (let k = 1; approxTokens(response) < TARGET_TOKENS; k++) {
      response += `\n\n${(rows[(i * 7 + k * 13) % rows.length] as { chatgpt_response: string }).chatgpt_response}`
    }
    const words = response.split(' ')
    while (approxTokens(words.join(' ')) > TARGET_TOKENS * 1.05) words.length -= 5
    response = words.join(' ')
    const input: ScoreInput = {
      prompt: first.user_query,
      messages: [{ role: 'user', content: first.user_query }],
      response,
      sources: [],
      tools: [],
      toolCalls: [],
    }
    if (i % 3 === 0) {
      const ev = wice[i % wice.length] as string[]
      input.sources = [0, 1, 2].map((s) => ({
        id: String(s + 1),
        text: ev.slice(s * 8, s * 8 + 8).join(' '),
      }))
      input.response = response.replace(/\. /g, (m, at: number) =>
        at % 3 === 0 ? ` [${(at % 3) + 1}]. ` : m,
      )
    }
    if (i % 10 === 0) {
      input.tools = [
        {
          name: 'search',
          parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
        },
      ]
      input.toolCalls = [{ id: 'c1', name: 'search', arguments: '{"q":"weather in Paris"}' }]
    }
    out.push(input)
  }
  return out
}

/**
 * Rows per second of wall-clock time and per CPU-second of this process (the per-core figure: it
 * does not depend on what else the machine runs, which matters on a shared 2-core box).
 */
async function measure(
  scorers: readonly Scorer[],
  inputs: readonly ScoreInput[],
): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (let i = 0; i < inputs.length; i += BATCH) {
    const batch = inputs.slice(i, i + BATCH)
    await Promise.all(scorers.map(async (s) => s.scoreBatch(batch)))
  }
  const cpu = process.cpuUsage(c0)
  const wallS = (performance.now() - t0) / 1000
  return { wall: inputs.length / wallS, cpu: inputs.length / ((cpu.user + cpu.system) / 1e6) }
}

/**
 * `measure` repeated `times`, keeping the best CPU figure (and its wall figure): on a shared machine the
 * other tenants only ever slow a pass down (cache and memory-bandwidth contention count as this process's
 * CPU time), so the fastest pass is the closest to the code's own cost.
 */
async function measureBest(
  scorers: readonly Scorer[],
  inputs: readonly ScoreInput[],
  times = REPEATS,
): Promise<{ wall: number; cpu: number }> {
  let best = { wall: 0, cpu: 0 }
  for (let r = 0; r < times; r++) {
    const m = await measure(scorers, inputs)
    if (m.cpu > best.cpu) best = m
  }
  return best
}

async function timeScorers(scorers: readonly Scorer[], inputs: readonly ScoreInput[]): Promise<number> {
  return (await measure(scorers, inputs)).wall
}

async function loadAvailable(names: readonly BuiltinScorerName[]) {
  const scorers: Scorer[] = []
  const skipped: string[] = []
  for (const n of names) {
    try {
      scorers.push(await loadBuiltinScorer(n))
    } catch (err) {
      skipped.push(`${n}: ${(err as Error).message.split('\n')[0]}`)
    }
  }
  return {
    scorers,
    skipped,
    names: names.filter((_, i) => !skipped.some((s) => s.startsWith(`${names[i]}:`))),
  }
}

/** Event-loop delay p99 and loopback HTTP latency p50/p99 over `ms`, while `load` runs. */
async function loopLatency(
  port: number,
  ms: number,
): Promise<{ loopP99Ms: number; httpP50Ms: number; httpP99Ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  const lat: number[] = []
  const end = performance.now() + ms
  while (performance.now() < end) {
    const t0 = performance.now()
    await new Promise<void>((res, rej) => {
      const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (r) => {
        r.resume()
        r.on('end', () => res())
      })
      req.on('error', rej)
      req.end()
    })
    lat.push(performance.now() - t0)
    await new Promise((r) => setTimeout(r, 5))
  }
  h.disable()
  lat.sort((a, b) => a - b)
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0
  return { loopP99Ms: h.percentile(99) / 1e6, httpP50Ms: q(0.5), httpP99Ms: q(0.99) }
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) throw new Error(`bench needs the public data at ${DATA}`)
  const cores = availableParallelism()
  const inputs = corpus(N)
  const meanTokens = inputs.reduce((a, x) => a + approxTokens(x.response), 0) / inputs.length
  const wanted: BuiltinScorerName[] = [...BUILTIN_SCORER_NAMES, 'reward-builtin']
  const { scorers, skipped, names } = await loadAvailable(wanted)
  for (const s of skipped) process.stderr.write(`skipped ${s}\n`)
  await timeScorers(scorers, inputs.slice(0, 200))

  const perScorer: Record<string, number> = {}
  for (const s of scorers)
    perScorer[`${s.name}@${s.version}`] = Math.round((await measureBest([s], inputs)).cpu)
  const singleM = await measureBest(scorers, inputs)
  const single = singleM.cpu
  process.stderr.write(
    `one thread, all built-in scorers: ${single.toFixed(0)} responses per CPU-second (${singleM.wall.toFixed(0)}/s wall)\n`,
  )

  const poolSize = Math.max(1, cores - 1)
  const pool = await ScorerPool.create({ size: poolSize, scorers: names })
  await timeScorers(pool.scorers, inputs.slice(0, 200))
  const pooled = await timeScorers(pool.scorers, inputs)
  process.stderr.write(`pool of ${poolSize}: ${pooled.toFixed(0)} responses/s\n`)

  let onnx: { rowsPerSec: number; rowsPerCpuSec: number; batch: number } | { skipped: string }
  try {
    if (!existsSync(join(TINY_RM, 'model.onnx'))) throw new Error(`no model at ${TINY_RM}`)
    const { createRewardScorer } = (await import('../src/scoring/reward/index.ts')) as {
      createRewardScorer: (ref: { kind: 'onnx'; path: string }) => Promise<Scorer>
    }
    const rm = await createRewardScorer({ kind: 'onnx', path: TINY_RM })
    const few = inputs.slice(0, 512)
    await timeScorers([rm], few.slice(0, 64))
    const m = await measure([rm], few)
    onnx = { rowsPerSec: Math.round(m.wall), rowsPerCpuSec: Math.round(m.cpu), batch: BATCH }
    await rm.close?.()
  } catch (err) {
    onnx = { skipped: (err as Error).message.split('\n')[0] ?? 'unknown' }
    process.stderr.write(`onnx skipped: ${onnx.skipped}\n`)
  }

  // The gateway's event loop: a loopback server in this thread, idle versus scoring saturated.
  const server = createServer((_, res) => res.end('ok'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const idle = await loopLatency(port, 3000)
  let stop = false
  let scoredUnderLoad = 0
  const saturate = async (ss: readonly Scorer[]) => {
    let i = 0
    while (!stop) {
      const batch = inputs.slice(i % (inputs.length - BATCH), (i % (inputs.length - BATCH)) + BATCH)
      await Promise.all(ss.map(async (s) => s.scoreBatch(batch)))
      scoredUnderLoad += batch.length
      i += BATCH
      await new Promise((r) => setImmediate(r))
    }
  }
  const loadStart = performance.now()
  const feeders = [saturate(pool.scorers), saturate(pool.scorers)]
  const pooledLoad = await loopLatency(port, 3000)
  stop = true
  await Promise.all(feeders)
  const saturatedPerSec = scoredUnderLoad / ((performance.now() - loadStart) / 1000)
  stop = false
  const inline = saturate(scorers)
  const inlineLoad = await loopLatency(port, 3000)
  stop = true
  await inline
  server.close()
  await pool.close()

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cores,
    rows: inputs.length,
    meanResponseTokens: Math.round(meanTokens),
    scorers: names,
    skipped,
    repeats: REPEATS,
    singleThreadPerCpuSec: Math.round(single),
    singleThreadPerSecWall: Math.round(singleM.wall),
    loadAverage: loadavg()[0] ?? 0,
    perScorerPerSec: perScorer,
    pool: {
      size: poolSize,
      perSec: Math.round(pooled),
      perSecPerWorker: Math.round(pooled / poolSize),
      perSecWhileMeasuringLatency: Math.round(saturatedPerSec),
    },
    targetPerSecPerCore: 2000,
    onnxTinyRm: onnx,
    eventLoop: {
      idle,
      poolSaturated: pooledLoad,
      inlineSaturated: inlineLoad,
      httpP99RatioPool: pooledLoad.httpP99Ms / Math.max(idle.httpP99Ms, 0.001),
      httpP99RatioInline: inlineLoad.httpP99Ms / Math.max(idle.httpP99Ms, 0.001),
    },
  }
  mkdirSync(OUT, { recursive: true })
  writeFileSync(join(OUT, 'scoring.json'), `${JSON.stringify(result, null, 2)}\n`)
  const f = (x: number) => x.toFixed(2)
  const md = `# bench:scoring

${result.date}, Node ${result.node}, ${cores} cores; ${result.rows} responses of about ${result.meanResponseTokens} tokens
(real ChatGPT answers from HaluEval stitched to ~300 tokens; a third with 3 sources and citation markers, a tenth with a tool call).
One-thread figures are the best of ${REPEATS} passes over all rows (CPU time of this process).
Scorers: ${names.join(', ')}${skipped.length > 0 ? `; skipped: ${skipped.join('; ')}` : ''}.

| measure | value |
|---|---|
| all built-in scorers, one thread (responses per CPU-second = per core) | ${result.singleThreadPerCpuSec} (target 2,000) |
| same, wall clock (responses/s; load average ${result.loadAverage.toFixed(1)} during the run) | ${result.singleThreadPerSecWall} |
| worker pool of ${poolSize}, wall clock (responses/s) | ${result.pool.perSec} (${result.pool.perSecPerWorker} per worker) |
${Object.entries(perScorer)
  .map(([k, v]) => `| ${k} alone, one thread (responses per CPU-second) | ${v} |`)
  .join('\n')}
| ONNX tiny-rm, batch ${BATCH} (responses/s wall; per CPU-second) | ${'rowsPerSec' in onnx ? `${onnx.rowsPerSec}; ${onnx.rowsPerCpuSec}` : `skipped: ${onnx.skipped}`} |

Gateway event loop (loopback HTTP server in the scoring process), 3 s each:

| state | event-loop delay p99 (ms) | HTTP p50 (ms) | HTTP p99 (ms) | HTTP p99 / idle |
|---|---|---|---|---|
| idle | ${f(idle.loopP99Ms)} | ${f(idle.httpP50Ms)} | ${f(idle.httpP99Ms)} | 1 |
| scoring saturated in worker pool (${result.pool.perSecWhileMeasuringLatency} responses/s) | ${f(pooledLoad.loopP99Ms)} | ${f(pooledLoad.httpP50Ms)} | ${f(pooledLoad.httpP99Ms)} | ${f(result.eventLoop.httpP99RatioPool)} |
| scoring saturated on the main thread (what workers avoid) | ${f(inlineLoad.loopP99Ms)} | ${f(inlineLoad.httpP50Ms)} | ${f(inlineLoad.httpP99Ms)} | ${f(result.eventLoop.httpP99RatioInline)} |
`
  writeFileSync(join(OUT, 'scoring.md'), md)
  process.stdout.write(md)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scoring failed: ${(err as Error).message}\n`)
  process.exit(1)
})
