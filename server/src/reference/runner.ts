import type { ProjectSettings, ReferenceSettings } from '@leash/shared'
import { fnv1a32 } from '../core/hash.ts'
import type { ScoreInsertInput } from '../db/clickhouse/queries/insert-scores.ts'
import type { ExchangeRecord } from '../exchange/record.ts'
import type { Logger } from '../log.ts'
import { costUsd, priceFor } from '../pricing/index.ts'
import { isScorable } from '../scoring/run.ts'
import type { Scorer } from '../scoring/scorer.ts'
import type { Endpoint } from './client.ts'
import { type Comparison, compareLogprobs, comparePaired, Dropped, type PairJudge } from './compare.ts'
import type { ReferenceRow } from './store.ts'

/** Per-project counters of the reference comparisons: every sample dropped or delayed is counted. */
export interface ReferenceCounters {
  sampled: number
  compared: number
  /** The queue was full: a slow reference drops samples rather than holding anything else. */
  droppedQueueFull: number
  /** Over `maxPerMinute` or `maxUsdPerDay`. */
  droppedBudget: number
  /** Policy and reference tokenized the text differently (logprobs mode). */
  droppedTokenization: number
  droppedUnscorable: number
  /** Timeouts and errors of the reference, the policy or the judge. */
  failed: number
  /** Samples that waited in the queue longer than `delayedAfterMs`. */
  delayed: number
  /** Comparisons made but lost because ClickHouse refused them. */
  writeFailed: number
  queued: number
  usdToday: number
  lastError: string | null
  lastComparedAt: string | null
}

export interface ReferenceRunnerDeps {
  settingsFor(projectId: string): Pick<ProjectSettings, 'reference' | 'routes' | 'retentionDays' | 'prices'>
  writeScores(rows: ScoreInsertInput[]): Promise<void>
  writeRows(rows: ReferenceRow[]): Promise<void>
  /** The gateway's default upstream: where the policy is scored when no route or `policy` says otherwise. */
  upstream: { baseUrl: string; apiKey?: string }
  env?: Record<string, string | undefined>
  log: Logger
  /** The scorers paired mode runs on both answers (reward, refusal, style), from the scoring registry. */
  loadScorers?: () => Promise<Scorer[]>
  judge?: PairJudge
  queueMax?: number
  concurrency?: number
  delayedAfterMs?: number
  /** Comparisons are buffered and stored every `flushMs` or `flushRows`, whichever comes first. */
  flushMs?: number
  flushRows?: number
  now?: () => number
}

export interface ReferenceRunner {
  /** Hands recorded, scored exchanges over; samples and queues. Never blocks, never throws. */
  offer(records: readonly ExchangeRecord[]): void
  counters(): Record<string, ReferenceCounters>
  /** Resolves once nothing is queued or running (tests, shutdown). */
  idle(): Promise<void>
  close(): Promise<void>
}

const SAMPLE_SEED = 0x1e45

/** Whether an exchange is sampled: a hash of its event id against its route's rate. */
export function sampled(
  cfg: ReferenceSettings,
  ex: Pick<ExchangeRecord, 'eventId' | 'route' | 'model'>,
): boolean {
  if (cfg.models.length > 0 && !cfg.models.includes(ex.model)) return false
  const rate = cfg.routes[ex.route]?.sampleRate ?? cfg.sampleRate
  return fnv1a32(ex.eventId, SAMPLE_SEED) / 4294967296 < rate
}

function blank(): ReferenceCounters {
  return {
    sampled: 0,
    compared: 0,
    droppedQueueFull: 0,
    droppedBudget: 0,
    droppedTokenization: 0,
    droppedUnscorable: 0,
    failed: 0,
    delayed: 0,
    writeFailed: 0,
    queued: 0,
    usdToday: 0,
    lastError: null,
    lastComparedAt: null,
  }
}

interface Job {
  ex: ExchangeRecord
  at: number
}

export function createReferenceRunner(deps: ReferenceRunnerDeps): ReferenceRunner {
  const now = deps.now ?? Date.now
  const queueMax = deps.queueMax ?? 1_000
  const concurrency = deps.concurrency ?? 2
  const delayedAfterMs = deps.delayedAfterMs ?? 60_000
  const flushMs = deps.flushMs ?? 1_000
  const flushRows = deps.flushRows ?? 200
  const env = deps.env ?? process.env
  const counters = new Map<string, ReferenceCounters>()
  const queue: Job[] = []
  let running = 0
  let closed = false
  let idleWaiters: Array<() => void> = []
  let scorers: Promise<Scorer[]> | null = null
  // Per project: calls in the current minute per route (stratified budget), and USD spent per UTC day.
  const minute = new Map<string, { at: number; byRoute: Map<string, number> }>()
  const day = new Map<string, { day: string; usd: number }>()

  const c = (projectId: string): ReferenceCounters => {
    let v = counters.get(projectId)
    if (!v) {
      v = blank()
      counters.set(projectId, v)
    }
    return v
  }

  /** maxPerMinute split evenly across the routes seen this minute, so one busy route cannot starve another. */
  function withinRate(projectId: string, route: string, cfg: ReferenceSettings): boolean {
    const t = now()
    let m = minute.get(projectId)
    if (!m || t - m.at >= 60_000) {
      m = { at: t, byRoute: new Map() }
      minute.set(projectId, m)
    }
    const used = m.byRoute.get(route) ?? 0
    const total = [...m.byRoute.values()].reduce((a, b) => a + b, 0)
    const routes = new Set([...m.byRoute.keys(), route]).size
    if (total >= cfg.maxPerMinute || used >= Math.ceil(cfg.maxPerMinute / routes)) return false
    m.byRoute.set(route, used + 1)
    return true
  }

  function spent(projectId: string): { day: string; usd: number } {
    const today = new Date(now()).toISOString().slice(0, 10)
    let d = day.get(projectId)
    if (!d || d.day !== today) {
      d = { day: today, usd: 0 }
      day.set(projectId, d)
    }
    return d
  }

  function settle(): void {
    if (queue.length === 0 && running === 0) {
      const w = idleWaiters
      idleWaiters = []
      for (const f of w) f()
    }
  }

  function endpoints(ex: ExchangeRecord, cfg: ReferenceSettings): { policy: Endpoint; reference: Endpoint } {
    const key = (name?: string) => (name ? env[name] : undefined)
    const reference: Endpoint = {
      baseUrl: cfg.baseUrl,
      model: cfg.model,
      apiKey: key(cfg.apiKeyEnv),
      timeoutMs: cfg.timeoutMs,
    }
    const settings = deps.settingsFor(ex.projectId)
    const up = settings.routes.find((r) => r.name === ex.route)?.upstreams.find((u) => u.name === ex.upstream)
    const policy: Endpoint = cfg.policy
      ? {
          baseUrl: cfg.policy.baseUrl,
          model: cfg.policy.model ?? ex.model,
          apiKey: key(cfg.policy.apiKeyEnv),
          timeoutMs: cfg.timeoutMs,
        }
      : up
        ? {
            baseUrl: up.baseUrl,
            model: up.modelMap[ex.model] ?? ex.model,
            apiKey: key(up.apiKeyEnv),
            timeoutMs: up.timeoutMs ?? cfg.timeoutMs,
          }
        : {
            baseUrl: deps.upstream.baseUrl,
            model: ex.model,
            apiKey: deps.upstream.apiKey,
            timeoutMs: cfg.timeoutMs,
          }
    return { policy, reference }
  }

  async function compare(job: Job, cfg: ReferenceSettings): Promise<Comparison> {
    const { policy, reference } = endpoints(job.ex, cfg)
    if (cfg.mode === 'logprobs') return compareLogprobs(job.ex, policy, reference)
    scorers ??= (deps.loadScorers ?? (async () => []))().catch((err) => {
      scorers = null
      throw err
    })
    return comparePaired(job.ex, reference, await scorers, deps.judge)
  }

  let pendingScores: ScoreInsertInput[] = []
  let pendingRows: ReferenceRow[] = []
  let flushTimer: NodeJS.Timeout | null = null
  let flushing: Promise<void> = Promise.resolve()

  /** Writes what is buffered; a failed write is counted per project (`writeFailed`) and logged. */
  function flush(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = null
    const scores = pendingScores
    const rows = pendingRows
    pendingScores = []
    pendingRows = []
    flushing = flushing.then(async () => {
      if (rows.length === 0) return
      try {
        await deps.writeScores(scores)
        await deps.writeRows(rows)
      } catch (err) {
        for (const r of rows) {
          const counter = c(r.projectId)
          counter.writeFailed++
          counter.lastError = `storing the comparison: ${(err as Error).message}`
        }
        deps.log('error', 'reference: comparisons could not be stored', {
          rows: rows.length,
          error: (err as Error).message,
        })
      }
    })
    return flushing
  }

  function scheduleFlush(): void {
    if (pendingRows.length >= flushRows) void flush()
    else if (!flushTimer) {
      flushTimer = setTimeout(() => void flush(), flushMs)
      flushTimer.unref?.()
    }
  }

  async function run(job: Job): Promise<void> {
    const { ex } = job
    const counter = c(ex.projectId)
    const settings = deps.settingsFor(ex.projectId)
    const cfg = settings.reference
    if (!cfg) return
    if (now() - job.at > delayedAfterMs) counter.delayed++
    try {
      const result = await compare(job, cfg)
      const usd = result.usage.reduce(
        (s, u) => s + costUsd({ ...u, cachedTokens: 0 }, priceFor(u.model, settings.prices)),
        0,
      )
      spent(ex.projectId).usd += usd
      const scorer = `reference:${cfg.model}`
      const base = {
        eventId: ex.eventId,
        projectId: ex.projectId,
        time: ex.time,
        model: ex.model,
        route: ex.route,
        upstream: ex.upstream,
        feature: ex.tags.feature,
        policyVersion: ex.tags.policyVersion,
        retentionDays: ex.retentionDays ?? settings.retentionDays,
      }
      // Buffered: one ClickHouse insert per flush, not two per sample.
      pendingScores.push(
        ...result.scores.map((v) => ({
          ...base,
          scorer,
          scorerVersion: '1',
          name: v.name,
          value: v.value,
          label: v.label ?? '',
        })),
      )
      pendingRows.push({
        ...result.row,
        projectId: ex.projectId,
        eventId: ex.eventId,
        time: ex.time,
        model: ex.model,
        route: ex.route,
        retentionDays: base.retentionDays,
      })
      scheduleFlush()
      counter.compared++
      counter.lastComparedAt = new Date(now()).toISOString()
    } catch (err) {
      const e = err as Error
      if (err instanceof Dropped) {
        if (err.reason === 'tokenization') counter.droppedTokenization++
        else counter.droppedUnscorable++
      } else counter.failed++
      counter.lastError = e.message
      if (counter.failed === 1 || counter.failed % 50 === 0)
        deps.log('warn', 'reference: a sample was not compared', {
          projectId: ex.projectId,
          eventId: ex.eventId,
          error: e.message,
          failed: counter.failed,
        })
    }
  }

  function pump(): void {
    while (!closed && running < concurrency && queue.length > 0) {
      const job = queue.shift() as Job
      c(job.ex.projectId).queued--
      running++
      void run(job).finally(() => {
        running--
        pump()
        settle()
      })
    }
    settle()
  }

  return {
    offer(records) {
      if (closed) return
      try {
        for (const ex of records) {
          const cfg = deps.settingsFor(ex.projectId).reference
          if (!cfg || !isScorable(ex) || ex.endpoint === 'embeddings' || !sampled(cfg, ex)) continue
          const counter = c(ex.projectId)
          counter.sampled++
          const usd = spent(ex.projectId)
          counter.usdToday = usd.usd
          if (usd.usd >= cfg.maxUsdPerDay || !withinRate(ex.projectId, ex.route, cfg)) {
            counter.droppedBudget++
            continue
          }
          if (queue.length >= queueMax) {
            counter.droppedQueueFull++
            continue
          }
          queue.push({ ex, at: now() })
          counter.queued++
        }
      } catch (err) {
        deps.log('error', 'reference: sampling failed; nothing was queued', { error: (err as Error).message })
      }
      pump()
    },
    counters() {
      for (const [projectId, v] of counters) v.usdToday = spent(projectId).usd
      return Object.fromEntries(counters)
    },
    async idle() {
      if (queue.length > 0 || running > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve))
      await flush()
    },
    async close() {
      closed = true
      for (const job of queue.splice(0)) c(job.ex.projectId).queued--
      if (running > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve))
      await flush()
      const loaded = await scorers?.catch(() => [])
      await Promise.allSettled((loaded ?? []).map((s) => s.close?.()))
    },
  }
}
