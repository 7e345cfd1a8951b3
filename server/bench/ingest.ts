/**
 * `npm run bench:ingest`: the durable ingest path on embedded ClickHouse (chdb), no scoring.
 *
 *   1. throughput   exchanges/s from `record()` (spool append + fsync) to rows queryable in ClickHouse,
 *                   against the same rows inserted straight into ClickHouse (the floor, same run)
 *   2. outage       the writer fails like an unreachable ClickHouse for N s (10 s; 60 s with --full)
 *                   while traffic flows; recovery = writer back -> every spooled row stored
 *   3. kill -9      a child process appends to a spool and is SIGKILLed mid-traffic; a new pipeline
 *                   delivers the spool: lost and duplicated acknowledged events (must be 0 and 0)
 *   4. dashboard    p50/p95 of a 30-day hourly chart over --rows raw rows (10,000,000 by default):
 *                   the overview query on raw rows (FINAL), and the hourly rollup when it exists
 *
 * Options: --rows N (dashboard rows), --exchanges N (throughput), --full (60 s outage),
 * --outage-seconds N, --skip a,b (throughput,outage,kill,dashboard). Writes bench/results/ingest.{json,md}.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type ClickHouseClient,
  createClickHouse,
  type InsertOptions,
  insertExchanges,
  insertScores,
  migrateClickHouse,
  toRawResponseRow,
} from '../src/db/clickhouse/index.ts'
import { RAW_RESPONSE_COLUMNS } from '../src/db/clickhouse/queries/insert-exchanges.ts'
import type { ExchangeRecord } from '../src/exchange/record.ts'
import { createPipeline } from '../src/ingest/pipeline.ts'
import { overview } from '../src/metrics/overview.ts'
import { queryMetricSeries } from '../src/metrics/query.ts'
import { exchange } from '../test/support/ingest-fixtures.ts'
import { childEventId, spawnSpoolChild } from '../test/support/spool-child.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const argv = process.argv.slice(2)
function opt(name: string): string | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  if (i < 0) return undefined
  const a = argv[i] as string
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[i + 1] ?? '')
}
const FULL = argv.includes('--full')
const DASH_ROWS = Number(opt('rows') ?? 10_000_000)
const EXCHANGES = Number(opt('exchanges') ?? 100_000)
const OUTAGE_S = Number(opt('outage-seconds') ?? (FULL ? 60 : 10))
const SKIP = new Set((opt('skip') ?? '').split(',').filter(Boolean))
const PROJECT = 'bench-project'

const say = (msg: string) => process.stdout.write(`${msg}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

async function one<T>(ch: ClickHouseClient, query: string): Promise<T> {
  const rs = await ch.query({ query, format: 'JSONEachRow' })
  return ((await rs.json()) as T[])[0] as T
}

async function stored(ch: ClickHouseClient, projectId: string): Promise<{ rows: number; unique: number }> {
  const r = await one<{ rows: string; unique: string }>(
    ch,
    `SELECT count() AS rows, uniqExact(event_id) AS unique FROM raw_responses_v1 WHERE project_id = '${projectId}'`,
  )
  return { rows: Number(r.rows), unique: Number(r.unique) }
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? Number.NaN
}

const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d

// ---- 1. throughput ------------------------------------------------------------------------------

async function throughput() {
  const dir = tempDir('leash-bench-tp-')
  const ch = createClickHouse({ dataDir: dir })
  try {
    await migrateClickHouse(ch)
    const make = (projectId: string) =>
      Array.from({ length: EXCHANGES }, (_, i) => exchange({ projectId, time: Date.now() }, i))
    const sample = make('x').slice(0, 1000)
    const avgBytes = sample.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0) / sample.length
    const textBytes = sample.reduce(
      (n, r) => n + r.prompt.length + r.responseText.length + JSON.stringify(r.request ?? '').length,
      0,
    )

    // Floor: the same rows inserted straight into ClickHouse in 5,000-row batches.
    const direct = make('tp-direct')
    const insert = insertExchanges(ch)
    let t = performance.now()
    for (let i = 0; i < direct.length; i += 5_000) await insert(direct.slice(i, i + 5_000))
    const directS = (performance.now() - t) / 1000

    // The insert path before decision 019, same rows, same run: rows mapped to arrays and handed to the
    // client, which JSON-encodes them and (on chdb) pastes the text into the INSERT statement.
    const legacy = make('tp-legacy').map((r) => {
      const row = toRawResponseRow(r)
      return RAW_RESPONSE_COLUMNS.map((c) => row[c])
    })
    t = performance.now()
    for (let i = 0; i < legacy.length; i += 5_000)
      await ch.insert({
        table: `raw_responses_v1 (${RAW_RESPONSE_COLUMNS.join(', ')})`,
        values: legacy.slice(i, i + 5_000),
        format: 'JSONCompactEachRow',
      })
    const legacyS = (performance.now() - t) / 1000

    const records = make('tp-spool')
    const pipeline = await createPipeline({
      writeExchanges: insert,
      writeScores: insertScores(ch),
      scorers: [],
      log: (level, msg, f) => (level === 'error' ? say(`  ${msg} ${JSON.stringify(f ?? {})}`) : undefined),
      spoolDir: path.join(dir, 'spool'),
    })
    t = performance.now()
    // Traffic arrives in bursts of 1,000 with the event loop free in between (as with real requests).
    for (let i = 0; i < records.length; i += 1_000) {
      for (const r of records.slice(i, i + 1_000)) pipeline.record(r)
      await new Promise((r) => setImmediate(r))
    }
    const appendS = (performance.now() - t) / 1000
    await pipeline.flush()
    const endToEndS = (performance.now() - t) / 1000
    const check = await stored(ch, 'tp-spool')
    await pipeline.close()
    return {
      exchanges: EXCHANGES,
      avgRecordJsonBytes: round(avgBytes),
      avgTextBytes: round(textBytes / sample.length),
      directInsertRowsPerS: round(EXCHANGES / directS),
      spoolAppendRowsPerS: round(EXCHANGES / appendS),
      endToEndRowsPerS: round(EXCHANGES / endToEndS),
      endToEndMBPerS: round((EXCHANGES * avgBytes) / endToEndS / 1024 ** 2, 1),
      directMBPerS: round((EXCHANGES * avgBytes) / directS / 1024 ** 2, 1),
      legacyClientInsertRowsPerS: round(EXCHANGES / legacyS),
      directVsLegacy: round(legacyS / directS, 2),
      endToEndVsDirect: round(directS / endToEndS, 2),
      stored: check,
    }
  } finally {
    await ch.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ---- 2. outage ----------------------------------------------------------------------------------

async function outage() {
  const dir = tempDir('leash-bench-outage-')
  const ch = createClickHouse({ dataDir: dir })
  const RATE = 2_000 // exchanges per second of steady traffic
  try {
    await migrateClickHouse(ch)
    const real = insertExchanges(ch)
    let down = false
    const writer = async (records: ExchangeRecord[], opts?: InsertOptions) => {
      if (down) throw new Error('connect ECONNREFUSED (ClickHouse unavailable)')
      await real(records, opts)
    }
    const pipeline = await createPipeline({
      writeExchanges: writer,
      writeScores: insertScores(ch),
      scorers: [],
      log: () => {},
      spoolDir: path.join(dir, 'spool'),
    })
    let sent = 0
    let stop = false
    const traffic = (async () => {
      const start = Date.now()
      while (!stop) {
        const due = Math.floor(((Date.now() - start) / 1000) * RATE)
        while (sent < due) pipeline.record(exchange({ projectId: 'outage', time: Date.now() }, sent++))
        await sleep(10)
      }
    })()
    await sleep(3_000)
    down = true
    const downAt = Date.now()
    say(`  ClickHouse "down" for ${OUTAGE_S} s with ${RATE} exchanges/s flowing...`)
    let maxRecords = 0
    let maxBytes = 0
    while (Date.now() - downAt < OUTAGE_S * 1000) {
      const s = pipeline.status().spool
      maxRecords = Math.max(maxRecords, s.records)
      maxBytes = Math.max(maxBytes, s.bytes)
      await sleep(200)
    }
    const backlog = sent
    down = false
    const upAt = Date.now()
    while (pipeline.stats().written < backlog) await sleep(20)
    const recoveryS = (Date.now() - upAt) / 1000
    stop = true
    await traffic
    await pipeline.flush()
    const s = pipeline.stats()
    const check = await stored(ch, 'outage')
    await pipeline.close()
    return {
      outageSeconds: OUTAGE_S,
      trafficPerS: RATE,
      maxSpoolRecords: maxRecords,
      maxSpoolMB: round(maxBytes / 1024 ** 2, 1),
      recoverySeconds: round(recoveryS, 2),
      sent,
      lost: sent - check.unique,
      duplicated: check.rows - check.unique,
      insertErrorsDuringOutage: s.writeErrors,
    }
  } finally {
    await ch.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ---- 3. kill -9 ---------------------------------------------------------------------------------

async function killNine() {
  const dir = tempDir('leash-bench-kill-')
  const spoolDir = path.join(dir, 'spool')
  try {
    const { child, acks } = spawnSpoolChild(spoolDir, 'kill')
    const exited = new Promise((r) => child.on('exit', r))
    const until = Date.now() + 4_000
    while (Date.now() < until || acks() === 0) await sleep(20)
    child.kill('SIGKILL')
    await exited
    const acknowledged = acks()
    const ch = createClickHouse({ dataDir: dir })
    try {
      await migrateClickHouse(ch)
      let torn = 0
      const t = performance.now()
      const pipeline = await createPipeline({
        writeExchanges: insertExchanges(ch),
        writeScores: insertScores(ch),
        scorers: [],
        log: (_l, msg) => {
          if (msg.includes('torn record')) torn++
        },
        spoolDir,
      })
      await pipeline.flush()
      const redeliverS = (performance.now() - t) / 1000
      await pipeline.close()
      const rs = await ch.query({
        query:
          "SELECT toString(event_id) AS id, count() AS n FROM raw_responses_v1 WHERE project_id = 'kill' GROUP BY id",
        format: 'JSONEachRow',
      })
      const rows = (await rs.json()) as Array<{ id: string; n: string }>
      const ids = new Set(rows.map((r) => r.id))
      let lost = 0
      for (let i = 0; i < acknowledged; i++) if (!ids.has(childEventId(i))) lost++
      return {
        acknowledged,
        delivered: rows.length,
        lost,
        duplicated: rows.filter((r) => Number(r.n) !== 1).length,
        tornTailsSkipped: torn,
        redeliverSeconds: round(redeliverS, 2),
      }
    } finally {
      await ch.close()
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ---- 4. dashboard query -------------------------------------------------------------------------

/** Up to `n` timed runs after a warm-up; a slow query stops after 5 runs or 60 s. */
async function timed(
  n: number,
  fn: () => Promise<unknown>,
): Promise<{ p50: number; p95: number; runs: number }> {
  await fn() // warm-up
  const ms: number[] = []
  const start = performance.now()
  for (let i = 0; i < n && (i < 5 || performance.now() - start < 60_000); i++) {
    const t = performance.now()
    await fn()
    ms.push(performance.now() - t)
  }
  return { p50: round(percentile(ms, 0.5), 1), p95: round(percentile(ms, 0.95), 1), runs: ms.length }
}

async function dashboard() {
  const dir = tempDir('leash-bench-dash-')
  const ch = createClickHouse({ dataDir: dir })
  try {
    await migrateClickHouse(ch)
    const HOUR = 3_600_000
    const to = Math.floor(Date.now() / HOUR) * HOUR
    const from = to - 30 * 24 * HOUR
    const span = to - from
    say(`  generating ${DASH_ROWS.toLocaleString()} raw rows (and one refusal score each) over 30 days...`)
    let t = performance.now()
    // Spread evenly over 30 days, 3 models x 2 routes, 2% errors; text columns kept short.
    await ch.command({
      query: `INSERT INTO raw_responses_v1 (project_id, event_id, time, endpoint, route, upstream, model, stream,
          status, outcome, latency_ms, ttft_ms, prompt_tokens, completion_tokens, cached_tokens, has_usage,
          usage_source, cost_usd, user_id, session_id, feature, policy_version, tags, request_json, prompt,
          response_text, tool_calls, tools, finish_reason, sources, error_message, retention_days)
        SELECT '${PROJECT}', generateUUIDv4(number), fromUnixTimestamp64Milli(toInt64(${from} + intDiv(number * ${span}, ${DASH_ROWS})), 'UTC'),
          'chat.completions', ['default', 'search'][number % 2 + 1], 'demo', ['m-small', 'm-large', 'm-tools'][number % 3 + 1], number % 4 = 0,
          if(number % 50 = 0, 500, 200), if(number % 50 = 0, 'upstream_error', 'ok'), 200 + (number * 7919) % 1800, 50 + (number * 104729) % 300,
          20 + number % 200, 50 + number % 400, 0, true, 'upstream', 0.0001 * (number % 10), concat('u', toString(number % 1000)),
          concat('s', toString(number % 10000)), 'chat', 'p1', map(), '[]', 'prompt', 'response', '[]', '', 'stop', '[]', '', 90
        FROM numbers(${DASH_ROWS})`,
    })
    await ch.command({
      query: `INSERT INTO scores_v1 (project_id, event_id, time, name, value, label, scorer, scorer_version, retention_days)
        SELECT project_id, event_id, time, 'refusal', if(cityHash64(event_id) % 10 = 0, 1, 0),
          if(cityHash64(event_id) % 10 = 0, 'full', 'none'), 'refusal-heuristic', '1', 90
        FROM raw_responses_v1 WHERE project_id = '${PROJECT}'`,
    })
    const generateS = (performance.now() - t) / 1000
    t = performance.now()
    await ch.command({ query: 'OPTIMIZE TABLE raw_responses_v1 FINAL' })
    await ch.command({ query: 'OPTIMIZE TABLE scores_v1 FINAL' })
    // The rollups as background merges leave them (the raw tables above likewise).
    for (const t of ['responses_per_hour_v1', 'responses_q_per_hour_v1', 'scores_per_hour_v1'])
      await ch.command({ query: `OPTIMIZE TABLE ${t} FINAL` }).catch(() => {})
    const optimizeS = (performance.now() - t) / 1000
    const count = await one<{ n: string }>(
      ch,
      `SELECT count() AS n FROM raw_responses_v1 WHERE project_id = '${PROJECT}'`,
    )
    say(
      `  ${Number(count.n).toLocaleString()} rows in ${round(generateS, 1)} s (+${round(optimizeS, 1)} s merge)`,
    )

    const RUNS = 20
    const range = { projectId: PROJECT, from: new Date(from), to: new Date(to), stepSeconds: 3600 }
    const rawOverview = await timed(RUNS, () =>
      overview({
        ctx: { ch },
        input: { projectId: range.projectId, from: range.from, to: range.to, step: range.stepSeconds },
      }),
    )
    const rawNoJoin = await timed(RUNS, () =>
      ch
        .query({
          query: `SELECT toStartOfHour(time) AS hour, count() AS requests,
              countIf(status >= 400 OR outcome != 'ok') AS errors, quantile(0.95)(latency_ms) AS p95
            FROM raw_responses_v1 FINAL WHERE project_id = '${PROJECT}'
              AND time >= fromUnixTimestamp64Milli(${from}, 'UTC') AND time < fromUnixTimestamp64Milli(${to}, 'UTC')
            GROUP BY hour ORDER BY hour`,
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json()),
    )
    const rollupTables = (await (
      await ch.query({ query: "SHOW TABLES LIKE '%hour%'", format: 'JSONEachRow' })
    ).json()) as Array<{ name: string }>
    const rollup: Record<string, unknown> = { tables: rollupTables.map((r) => r.name) }
    if (rollupTables.length > 0) {
      // The same quantile chart filtered by a slice every row has (upstream 'demo') reads the sliced rollup
      // (one digest per slice and hour), the way every whole-project chart did before migration 015.
      const runs: Array<[string, string, Record<string, string>]> = [
        ['requests', 'requests', {}],
        ['latency_p95', 'latency_p95', {}],
        ['latency_p95, filter upstream=demo (reads the sliced rollup)', 'latency_p95', { upstream: 'demo' }],
      ]
      for (const [key, metric, filters] of runs) {
        try {
          rollup[key] = await timed(RUNS, () =>
            queryMetricSeries(ch, {
              projectId: PROJECT,
              metric,
              from,
              to,
              stepSeconds: 3600,
              minSamples: 1,
              ...(Object.keys(filters).length ? { filters } : {}),
            }),
          )
        } catch (err) {
          rollup[key] = { error: (err as Error).message }
        }
      }
    }
    return {
      rows: Number(count.n),
      generateSeconds: round(generateS, 1),
      chart: '30 days, hourly (720 buckets)',
      rawOverviewQueryMs: rawOverview,
      rawRequestsErrorsP95Ms: rawNoJoin,
      rollup,
    }
  } finally {
    await ch.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ---- main -----------------------------------------------------------------------------------------

function markdown(r: Record<string, unknown>): string {
  const tp = r.throughput as Awaited<ReturnType<typeof throughput>> | undefined
  const out = r.outage as Awaited<ReturnType<typeof outage>> | undefined
  const kill = r.kill as Awaited<ReturnType<typeof killNine>> | undefined
  const dash = r.dashboard as Awaited<ReturnType<typeof dashboard>> | undefined
  const lines = [
    '# Ingest benchmark (`npm run bench:ingest`)',
    '',
    `Machine: ${r.machine}. Embedded ClickHouse (chdb), no scoring. Generated ${r.generatedAt}; load average at the start ${r.loadAverage ?? '?'} (the machine is shared: compare ratios within a run).`,
    '',
    '| measure | value | target |',
    '|---|---|---|',
  ]
  if (tp) {
    lines.push(
      `| spool -> queryable rows, ${tp.exchanges.toLocaleString()} exchanges of ~${tp.avgRecordJsonBytes} B (${tp.avgTextBytes} B text) | ${tp.endToEndRowsPerS.toLocaleString()} rows/s (${tp.endToEndMBPerS ?? '?'} MB/s of records) | >= 50,000 rows/s |`,
      `| same rows inserted straight into chdb (floor, same run) | ${tp.directInsertRowsPerS.toLocaleString()} rows/s (${tp.directMBPerS ?? '?'} MB/s) | |`,
      `| end to end / straight insert | ${tp.endToEndVsDirect} | |`,
      ...(tp.legacyClientInsertRowsPerS
        ? [
            `| same rows through the insert path before decision 019 (client JSON encoding pasted into the SQL) | ${tp.legacyClientInsertRowsPerS.toLocaleString()} rows/s (straight insert now ${tp.directVsLegacy} × faster) | |`,
          ]
        : []),
      `| spool append (record() + group commit) | ${tp.spoolAppendRowsPerS.toLocaleString()} rows/s | |`,
    )
  }
  if (out) {
    lines.push(
      `| recovery after a ${out.outageSeconds} s outage at ${out.trafficPerS}/s (writer back -> backlog stored) | ${out.recoverySeconds} s | |`,
      `| spool depth at the end of the outage | ${out.maxSpoolRecords.toLocaleString()} records, ${out.maxSpoolMB} MB | |`,
      `| outage: lost / duplicated of ${out.sent.toLocaleString()} | ${out.lost} / ${out.duplicated} | 0 / 0 |`,
    )
  }
  if (kill) {
    lines.push(
      `| kill -9 mid-traffic: lost / duplicated of ${kill.acknowledged.toLocaleString()} acknowledged | ${kill.lost} / ${kill.duplicated} | 0 / 0 |`,
      `| kill -9: delivered (acknowledged or written after the last ack), torn tails skipped | ${kill.delivered.toLocaleString()}, ${kill.tornTailsSkipped} | |`,
    )
  }
  if (dash) {
    lines.push(
      `| 30-day hourly overview chart over ${dash.rows.toLocaleString()} rows (the dashboard's overview query), p50 / p95 (${dash.rawOverviewQueryMs.runs} runs) | ${dash.rawOverviewQueryMs.p50} / ${dash.rawOverviewQueryMs.p95} ms | p95 <= 300 ms |`,
      `| same range, raw rows without the score join (requests, errors, p95 latency) (${dash.rawRequestsErrorsP95Ms.runs} runs) | ${dash.rawRequestsErrorsP95Ms.p50} / ${dash.rawRequestsErrorsP95Ms.p95} ms | |`,
    )
    for (const [k, v] of Object.entries(dash.rollup)) {
      if (k === 'tables') continue
      const t = v as { p50?: number; p95?: number; runs?: number; error?: string }
      lines.push(
        `| rollup via queryMetricSeries('${k}'), 30 days hourly, p50 / p95 (${t.runs ?? 0} runs) | ${t.error ? `error: ${t.error}` : `${t.p50} / ${t.p95} ms`} | p95 <= 300 ms |`,
      )
    }
    if ((dash.rollup.tables as string[]).length === 0)
      lines.push('| hourly rollup | not present in this build | |')
  }
  lines.push('', 'Notes: figures are from one run on a shared, noisy machine; compare ratios within a run.')
  for (const k of ['throughput', 'outage', 'kill', 'dashboard']) {
    const from = (r[k] as { from?: string } | undefined)?.from
    if (from) lines.push(`The ${k} figures are kept from the run of ${from}.`)
  }
  lines.push('')
  return lines.join('\n')
}

async function main(): Promise<void> {
  const outDir = path.join(ROOT, 'bench/results')
  const outFile = path.join(outDir, 'ingest.json')
  // Sections skipped with --skip keep their figures from the previous run (and say when it was).
  const previous = fs.existsSync(outFile)
    ? (JSON.parse(fs.readFileSync(outFile, 'utf8')) as Record<string, unknown>)
    : {}
  const kept = Object.fromEntries(
    ['throughput', 'outage', 'kill', 'dashboard']
      .filter((k) => SKIP.has(k) && previous[k] !== undefined)
      .map((k) => [
        k,
        { ...(previous[k] as object), from: (previous[k] as { from?: string }).from ?? previous.generatedAt },
      ]),
  )
  const results: Record<string, unknown> = {
    ...kept,
    generatedAt: new Date().toISOString(),
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    machine: `${os.cpus().length} CPU ${os.cpus()[0]?.model ?? ''}, Node ${process.version}`,
    options: { full: FULL, rows: DASH_ROWS, exchanges: EXCHANGES, outageSeconds: OUTAGE_S },
  }
  say(`bench:ingest (${FULL ? 'full' : `default; outage ${OUTAGE_S} s, use --full for 60 s`})`)
  if (!SKIP.has('throughput')) {
    say('1. throughput: spool -> ClickHouse')
    results.throughput = await throughput()
    say(`  ${JSON.stringify(results.throughput)}`)
  }
  if (!SKIP.has('outage')) {
    say('2. outage and recovery')
    results.outage = await outage()
    say(`  ${JSON.stringify(results.outage)}`)
  }
  if (!SKIP.has('kill')) {
    say('3. kill -9 mid-traffic')
    results.kill = await killNine()
    say(`  ${JSON.stringify(results.kill)}`)
  }
  if (!SKIP.has('dashboard')) {
    say('4. dashboard query latency')
    results.dashboard = await dashboard()
    say(`  ${JSON.stringify(results.dashboard)}`)
  }
  fs.mkdirSync(outDir, { recursive: true })
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`)
  const md = markdown(results)
  fs.writeFileSync(path.join(outDir, 'ingest.md'), md)
  say(`\n${md}\nwrote bench/results/ingest.json and bench/results/ingest.md`)
}

main().catch((err: Error) => {
  process.stderr.write(`bench:ingest failed: ${err.message}\n`)
  process.exit(1)
})
