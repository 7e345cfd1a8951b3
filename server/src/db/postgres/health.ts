import type { Logger } from '../../log.ts'

/** Whether PostgreSQL answers, watched off the request path; a change is logged once, loudly. */
export interface PostgresHealth {
  /** False once a ping failed, or while one has waited longer than `slowMs` for its answer. */
  up(): boolean
  /** "PostgreSQL at host:port/db", for messages. */
  readonly what: string
  stop(): void
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '08000',
  '08001',
  '08003',
  '08006',
])

/** True when `err` (or its cause) says PostgreSQL could not be reached, not that a query was wrong. */
export function isPostgresUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

const errText = (err: unknown) =>
  err instanceof Error ? `${(err as { code?: string }).code ?? ''} ${err.message}`.trim() : String(err)

/** Pings every `intervalMs` (each ping given at most `timeoutMs`); `up()` is what the last ping said. */
export function watchPostgres(opts: {
  ping: () => Promise<unknown>
  what: string
  log: Logger
  intervalMs?: number
  timeoutMs?: number
  slowMs?: number
}): PostgresHealth {
  let up = true
  let busy = false
  let startedAt = 0
  const timeoutMs = opts.timeoutMs ?? 1_500
  const slowMs = opts.slowMs ?? 700
  async function check(): Promise<void> {
    if (busy) return
    busy = true
    startedAt = Date.now()
    let t: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        opts.ping(),
        new Promise((_, reject) => {
          t = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
        }),
      ])
      if (!up) opts.log('info', `${opts.what} is reachable again; the API and alert evaluation resume`, {})
      up = true
    } catch (err) {
      if (up)
        opts.log(
          'error',
          `${opts.what} is unreachable; the gateway keeps proxying with cached keys, routes and settings, the API answers 503 storage_unavailable and alert evaluation is paused until it is back`,
          { error: errText(err) },
        )
      up = false
    } finally {
      clearTimeout(t)
      busy = false
    }
  }
  const timer = setInterval(() => void check(), opts.intervalMs ?? 500)
  timer.unref()
  return {
    up: () => up && !(busy && Date.now() - startedAt > slowMs),
    what: opts.what,
    stop: () => clearInterval(timer),
  }
}

/** Waits until PostgreSQL answers, saying what is unreachable and retrying with backoff (start-up). */
export async function waitForPostgres(opts: {
  ping: () => Promise<unknown>
  what: string
  log: Logger
  maxWaitMs?: number
}): Promise<void> {
  let delay = 1_000
  const until = Date.now() + (opts.maxWaitMs ?? Number.POSITIVE_INFINITY)
  for (let attempt = 1; ; attempt++) {
    try {
      await opts.ping()
      if (attempt > 1) opts.log('info', `${opts.what} is reachable; starting`)
      return
    } catch (err) {
      if (Date.now() + delay > until) throw err
      opts.log('error', `${opts.what} is unreachable (${errText(err)}); retrying in ${delay / 1000} s`, {
        attempt,
      })
      await new Promise((r) => setTimeout(r, delay))
      delay = Math.min(delay * 2, 10_000)
    }
  }
}
