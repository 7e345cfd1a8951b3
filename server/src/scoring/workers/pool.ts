import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Logger } from '../../log.ts'
import { scorerBatchDone, scorerBatchQueued } from '../../observe/metrics.ts'
import type { ScoreInput, Scorer, ScoreValue } from '../scorer.ts'
import { BUILTIN_SCORER_NAMES, type BuiltinScorerName } from './catalog.ts'
import type { FromWorker, ScorerInfo, ScorerOutcome, ToWorker, WorkerInit } from './protocol.ts'

export interface ScorerPoolOptions {
  /** Worker threads; default max(1, cores - 1) so one core stays with the gateway's event loop. */
  size?: number
  scorers?: BuiltinScorerName[]
  /** Smallest slice of a batch worth sending to its own worker. */
  minChunk?: number
  /** Restarts allowed per worker slot before the slot is given up (a crash loop is a bug, not load). */
  maxRestarts?: number
  log?: Logger
}

interface Pending {
  resolve: (o: Record<string, ScorerOutcome>) => void
  reject: (e: Error) => void
}

interface Ready {
  scorers: ScorerInfo[]
  failed: { name: string; error: string }[]
}

interface Slot {
  worker: Worker
  ready: Promise<Ready>
  isReady: boolean
  inflight: Map<number, Pending>
  restarts: number
}

/**
 * Worker threads load `.ts` modules, which Node 20 cannot do alone, and it ignores `--import` loaders
 * in a worker's execArgv for the entry module. So each worker starts from a tiny ESM bootstrap that
 * registers tsx's loader in the thread (`tsx/esm/api`) and then imports the real worker module. This
 * works the same under the tsx CLI and under vitest.
 */
function bootstrapSource(workerUrl: URL): string {
  // The ESM build of tsx's API (require.resolve would pick the CommonJS one).
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json')
  const api = pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href
  return `import { register } from ${JSON.stringify(api)}\nregister()\nawait import(${JSON.stringify(workerUrl.href)})\n`
}

/** Compiled (`npm start` runs `server/dist`): the worker is plain JavaScript beside this file. */
const COMPILED = import.meta.url.endsWith('.js')
const WORKER_URL = new URL(COMPILED ? './worker.js' : './worker.ts', import.meta.url)

/** What a worker thread starts from: the compiled module itself, or the tsx bootstrap in development. */
export function workerEntry(): URL {
  if (COMPILED) return WORKER_URL
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrapSource(WORKER_URL))}`)
}

/**
 * A pool of scoring threads. `scorers` holds one `Scorer` per built-in scorer (real names and
 * versions); calls made in the same tick on the same inputs array (as `scoreExchanges` does) are sent
 * as one job per slice, so a batch crosses the thread boundary once. Results keep input order; a
 * crashed worker fails only its in-flight batches and is restarted.
 */
export class ScorerPool {
  readonly scorers: Scorer[] = []
  private readonly slots: Slot[] = []
  private readonly coalesce = new Map<
    readonly ScoreInput[],
    { names: Set<string>; result: Promise<Record<string, ScorerOutcome>> }
  >()
  private nextId = 1
  private closed = false

  private constructor(
    private readonly names: BuiltinScorerName[],
    private readonly minChunk: number,
    private readonly maxRestarts: number,
    private readonly log: Logger | undefined,
  ) {}

  static async create(opts: ScorerPoolOptions = {}): Promise<ScorerPool> {
    const size = Math.max(1, Math.floor(opts.size ?? Math.max(1, availableParallelism() - 1)))
    const pool = new ScorerPool(
      opts.scorers ?? [...BUILTIN_SCORER_NAMES],
      Math.max(1, opts.minChunk ?? 8),
      opts.maxRestarts ?? 20,
      opts.log,
    )
    for (let i = 0; i < size; i++) pool.slots.push(pool.spawn(0))
    let ready: Ready
    try {
      ready = (await Promise.all(pool.slots.map((s) => s.ready)))[0] ?? { scorers: [], failed: [] }
    } catch (err) {
      await pool.close()
      throw err
    }
    for (const info of ready.scorers) {
      pool.scorers.push({
        name: info.name,
        version: info.version,
        scoreBatch: (inputs) => pool.request(info.name, inputs),
      })
    }
    // A scorer that cannot load stays visible: every batch it is given fails loudly with the reason.
    for (const f of ready.failed) {
      opts.log?.('error', 'scorer unavailable', { scorer: f.name, error: f.error })
      pool.scorers.push({
        name: f.name,
        version: 'unavailable',
        scoreBatch: async () => {
          throw new Error(`scorer ${f.name} is unavailable: ${f.error}`)
        },
      })
    }
    return pool
  }

  get size(): number {
    return this.slots.length
  }

  private spawn(restarts: number): Slot {
    const init: WorkerInit = { scorers: this.names }
    const worker = new Worker(workerEntry(), { workerData: init })
    const slot: Slot = {
      worker,
      ready: Promise.resolve({ scorers: [], failed: [] }),
      isReady: false,
      inflight: new Map(),
      restarts,
    }
    slot.ready = new Promise<Ready>((resolve, reject) => {
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          slot.isReady = true
          resolve({ scorers: msg.scorers, failed: msg.failed })
        } else if (msg.type === 'init_error') {
          reject(new Error(`scorer worker failed to start: ${msg.error}`))
        } else if (msg.type === 'result') {
          const p = slot.inflight.get(msg.id)
          slot.inflight.delete(msg.id)
          p?.resolve(msg.outcomes)
        }
      })
      worker.on('error', (err) => {
        if (!slot.isReady) reject(new Error(`scorer worker failed to start: ${err.message}`))
        this.fail(slot, `scorer worker crashed: ${err.message}`)
      })
      worker.on('exit', (code) => {
        if (!slot.isReady) reject(new Error(`scorer worker exited during start (code ${code})`))
        this.fail(slot, `scorer worker exited (code ${code})`)
      })
    })
    // A rejected start is awaited by create(); later restarts must not leave an unhandled rejection.
    slot.ready.catch(() => {})
    return slot
  }

  /** Fails a dead worker's in-flight batches and puts a fresh worker in its place. */
  private fail(slot: Slot, reason: string): void {
    const i = this.slots.indexOf(slot)
    if (i < 0) return
    for (const p of slot.inflight.values()) p.reject(new Error(reason))
    slot.inflight.clear()
    if (this.closed) return
    if (slot.restarts >= this.maxRestarts) {
      this.log?.('error', 'scorer worker keeps crashing; slot given up', { reason })
      this.slots.splice(i, 1)
      return
    }
    this.log?.('warn', 'scorer worker restarted', { reason })
    this.slots[i] = this.spawn(slot.restarts + 1)
  }

  private request(name: string, inputs: readonly ScoreInput[]): Promise<ScoreValue[][]> {
    let entry = this.coalesce.get(inputs)
    if (!entry) {
      const names = new Set<string>()
      const result = new Promise<Record<string, ScorerOutcome>>((resolve) => {
        queueMicrotask(() => {
          this.coalesce.delete(inputs)
          resolve(this.dispatch([...names], inputs))
        })
      })
      entry = { names, result }
      this.coalesce.set(inputs, entry)
    }
    entry.names.add(name)
    return entry.result.then((outcomes) => {
      const o = outcomes[name]
      if (!o) throw new Error(`scorer '${name}' returned nothing`)
      if (!o.ok) throw new Error(o.error)
      return o.results
    })
  }

  /** Splits the batch across workers; never rejects: every name gets results or an error. */
  private async dispatch(
    names: string[],
    inputs: readonly ScoreInput[],
  ): Promise<Record<string, ScorerOutcome>> {
    if (inputs.length === 0) return Object.fromEntries(names.map((n) => [n, { ok: true, results: [] }]))
    const parts = Math.max(1, Math.min(this.slots.length, Math.ceil(inputs.length / this.minChunk)))
    const per = Math.ceil(inputs.length / parts)
    scorerBatchQueued()
    const chunks: ScoreInput[][] = []
    for (let i = 0; i < inputs.length; i += per) chunks.push(inputs.slice(i, i + per))
    const settled = await Promise.allSettled(chunks.map((c) => this.runChunk(names, c)))
    const out: Record<string, ScorerOutcome> = {}
    for (const name of names) {
      const results: ScoreValue[][] = []
      let error: string | null = null
      for (const s of settled) {
        if (s.status === 'rejected') {
          error ??= (s.reason as Error)?.message ?? String(s.reason)
          continue
        }
        const o = s.value[name]
        if (!o) error ??= `scorer '${name}' returned nothing`
        else if (!o.ok) error ??= o.error
        else results.push(...o.results)
      }
      out[name] = error === null ? { ok: true, results } : { ok: false, error }
    }
    scorerBatchDone(out, inputs.length)
    return out
  }

  private async runChunk(names: string[], inputs: ScoreInput[]): Promise<Record<string, ScorerOutcome>> {
    if (this.closed) throw new Error('scorer pool is closed')
    if (this.slots.length === 0) throw new Error('scorer pool has no live workers')
    const ready = this.slots.filter((s) => s.isReady)
    const pool = ready.length > 0 ? ready : this.slots
    const slot = pool.reduce((a, b) => (b.inflight.size < a.inflight.size ? b : a))
    if (!slot.isReady) await slot.ready
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      slot.inflight.set(id, { resolve, reject })
      const msg: ToWorker = { type: 'score', id, names, inputs }
      slot.worker.postMessage(msg)
    })
  }

  /** Test hook: makes one worker exit as if it crashed. */
  crashOneWorker(): void {
    const msg: ToWorker = { type: 'crash' }
    this.slots[0]?.worker.postMessage(msg)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const slots = this.slots.splice(0)
    for (const s of slots) {
      for (const p of s.inflight.values()) p.reject(new Error('scorer pool is closed'))
      s.inflight.clear()
    }
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }
}
