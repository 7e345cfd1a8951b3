import { once } from 'node:events'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { RewardModelRef } from '@leash/shared'
import type { ScoreValue } from '../exchange/score.ts'
import { parseScoreRecord, type ScoreRecord } from '../exchange/score-record.ts'
import { createScorerSet } from '../scoring/registry.ts'
import type { Scorer } from '../scoring/scorer.ts'

export const SCORE_HELP = `leash score --in IN.jsonl --out OUT.jsonl [--batch N] [--workers N] [--reward REF]
  Scores a JSONL file offline with every built-in scorer and the reward model.
  Input lines:  {"id", "messages" | "prompt", "response", "sources"?: [{"id","text","url"?}], "tools"?, "tool_calls"?}
  Output lines: {"id", "scores": {"reward", "refusal", "refusal_label", ...}} (labels as <name>_label);
                a scorer that failed on a batch adds "errors": {scorer: message}.
  A bad input line is reported on stderr with its line number and written, in its place, as
  {"id", "line", "error"}; the rest continues (exit code 0). Blank lines are skipped. --in - reads stdin. --batch 64. --workers N (default cores-1; 0 = this thread).
  --reward builtin | onnx:DIR | remote:URL (default builtin).
`

interface ScoreArgs {
  in: string
  out: string
  batch: number
  workers: number | null
  reward: RewardModelRef
}

function parseArgs(argv: readonly string[]): ScoreArgs {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'\n\n${SCORE_HELP}`)
    const v = argv[i + 1]
    if (v === undefined || (v.startsWith('--') && v !== '-'))
      throw new Error(`${a} needs a value\n\n${SCORE_HELP}`)
    flags.set(a.slice(2), v)
    i++
  }
  for (const k of flags.keys()) {
    if (!['in', 'out', 'batch', 'workers', 'reward'].includes(k))
      throw new Error(`unknown flag --${k}\n\n${SCORE_HELP}`)
  }
  const input = flags.get('in')
  const out = flags.get('out')
  if (!input || !out) throw new Error(`--in and --out are required\n\n${SCORE_HELP}`)
  if (input !== '-' && !existsSync(input)) throw new Error(`input file not found: ${input}`)
  const batch = Number(flags.get('batch') ?? 64)
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000)
    throw new Error('--batch must be an integer from 1 to 100000')
  const w = flags.get('workers')
  const workers = w === undefined ? null : Number(w)
  if (workers !== null && (!Number.isInteger(workers) || workers < 0 || workers > 256)) {
    throw new Error('--workers must be an integer from 0 to 256')
  }
  return { in: input, out, batch, workers, reward: parseRewardRef(flags.get('reward') ?? 'builtin') }
}

export function parseRewardRef(v: string): RewardModelRef {
  if (v === 'builtin') return { kind: 'builtin' }
  if (v.startsWith('onnx:') && v.length > 5) return { kind: 'onnx', path: v.slice(5) }
  if (v.startsWith('remote:') && /^https?:\/\//.test(v.slice(7))) return { kind: 'remote', url: v.slice(7) }
  throw new Error(`--reward must be builtin, onnx:DIR or remote:URL (got '${v}')`)
}

/** Redraws a rate line on a terminal; prints a plain line every 10 s otherwise. */
function progress(err: NodeJS.WriteStream) {
  const started = Date.now()
  let last = 0
  return (done: number, failed: number, final = false) => {
    const now = Date.now()
    const every = err.isTTY ? 250 : 10_000
    if (!final && now - last < every) return
    last = now
    const rate = done / Math.max((now - started) / 1000, 0.001)
    const line = `scoring: ${done} rows, ${failed} failed, ${rate.toFixed(0)} rows/s`
    if (err.isTTY) err.write(`\r${line}\x1b[K${final ? '\n' : ''}`)
    else if (!final) err.write(`${line}\n`)
  }
}

function toScoresObject(values: readonly ScoreValue[], into: Record<string, number | string>): void {
  for (const v of values) {
    into[v.name] = Math.round(v.value * 1e6) / 1e6
    if (v.label !== undefined && v.label !== '') into[`${v.name}_label`] = v.label
  }
}

/**
 * Input lines with explicit backpressure: the file is paused while 1,024 lines wait, so a slow scorer
 * never makes the reader buffer the whole file. An input stream error ends the iteration with it.
 */
async function* readLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  const queue: string[] = []
  let done = false
  let failure: Error | null = null
  let wake: (() => void) | null = null
  const notify = () => {
    const w = wake
    wake = null
    w?.()
  }
  rl.on('line', (l) => {
    queue.push(l)
    if (queue.length >= 1024) rl.pause()
    notify()
  })
  rl.on('close', () => {
    done = true
    notify()
  })
  input.on('error', (err: Error) => {
    failure = err
    done = true
    notify()
  })
  try {
    for (;;) {
      const line = queue.shift()
      if (line !== undefined) {
        if (queue.length < 256) rl.resume()
        yield line
        continue
      }
      if (failure) throw failure
      if (done) return
      await new Promise<void>((resolve) => {
        wake = resolve
      })
    }
  } finally {
    rl.close()
  }
}

/** A line waiting for its batch: scored records, or a bad line already turned into an error row. */
type Pending = { record: ScoreRecord } | { errorLine: string }

async function scoreBatch(
  scorers: readonly Scorer[],
  pending: readonly Pending[],
): Promise<{ lines: string[]; errors: Record<string, string> }> {
  const records = pending.flatMap((p) => ('record' in p ? [p.record] : []))
  const inputs = records.map((r) => r.input)
  const settled = await Promise.allSettled(scorers.map(async (s) => s.scoreBatch(inputs)))
  const errors: Record<string, string> = {}
  settled.forEach((res, si) => {
    if (res.status === 'rejected') {
      errors[(scorers[si] as Scorer).name] = (res.reason as Error)?.message ?? String(res.reason)
    }
  })
  let k = 0
  const lines = pending.map((p) => {
    if ('errorLine' in p) return p.errorLine
    const i = k++
    const scores: Record<string, number | string> = {}
    settled.forEach((res) => {
      if (res.status === 'fulfilled') toScoresObject(res.value[i] ?? [], scores)
    })
    const line: Record<string, unknown> = { id: (records[i] as ScoreRecord).id, scores }
    if (Object.keys(errors).length > 0) line.errors = errors
    return JSON.stringify(line)
  })
  return { lines, errors }
}

export async function scoreCommand(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SCORE_HELP)
    return
  }
  const args = parseArgs(argv)
  const set = await createScorerSet(
    { scoring: { reward: args.reward, shadowReward: null } },
    { pool: args.workers === 0 ? false : args.workers === null ? {} : { size: args.workers } },
  )
  const out = createWriteStream(args.out)
  try {
    await once(out, 'open')
  } catch (err) {
    await set.close()
    throw new Error(`cannot write ${args.out}: ${(err as Error).message}`)
  }
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain')
  }
  const show = progress(process.stderr)
  let scored = 0
  let failed = 0
  let lineNo = 0
  const reportedErrors = new Set<string>()
  let batch: Pending[] = []
  let records = 0
  const flush = async () => {
    if (batch.length === 0) return
    const { lines, errors } = await scoreBatch(set.scorers, batch)
    for (const [s, m] of Object.entries(errors)) {
      if (!reportedErrors.has(s)) process.stderr.write(`leash score: scorer ${s} failed: ${m}\n`)
      reportedErrors.add(s)
    }
    for (const l of lines) await write(l)
    scored += records
    batch = []
    records = 0
    show(scored, failed)
  }
  try {
    const input = args.in === '-' ? process.stdin : createReadStream(args.in)
    for await (const raw of readLines(input)) {
      lineNo++
      if (raw.trim() === '') continue
      try {
        batch.push({ record: parseScoreRecord(raw) })
        records++
      } catch (err) {
        failed++
        const message = (err as Error).message
        process.stderr.write(`leash score: line ${lineNo}: ${message}\n`)
        // Kept in its place so the output stays in input order.
        batch.push({ errorLine: JSON.stringify({ id: idOf(raw), line: lineNo, error: message }) })
      }
      if (records >= args.batch) await flush()
    }
    await flush()
  } finally {
    await set.close()
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    )
  }
  show(scored, failed, true)
  process.stdout.write(`scored ${scored}, failed ${failed}\n`)
}

/** The id of a bad line when it can still be read, for the error row. */
function idOf(raw: string): unknown {
  try {
    const v = JSON.parse(raw) as { id?: unknown }
    return typeof v === 'object' && v !== null ? (v.id ?? null) : null
  } catch {
    return /"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)/.exec(raw)?.[1]?.replace(/^"|"$/g, '') ?? null
  }
}
