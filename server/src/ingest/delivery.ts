import type { Logger } from '../log.ts'

/** How failed inserts are retried and when a row is judged poison. */
export interface RetryPolicyDeps {
  log: Logger
  retryMinMs: number
  retryMaxMs: number
  /** Past this time (closing) retries stop and the rows stay in the spool. */
  deadline: () => number
  /** Sleeps, cut short only by `close()`. */
  sleep: (ms: number) => Promise<void>
  /** Every failed attempt, for counters, `lastError` and flush waiters. */
  onError: (what: string, err: Error, backoffMs: number) => void
  /** A row that failed twice on its own while its neighbours went in. */
  onPoison: (what: string, row: unknown, err: Error) => void
}

const TRANSIENT_CODES = new Set([
  'storage_unavailable',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
])
const TRANSIENT_TEXT =
  /timeout|timed out|socket hang up|fetch failed|service unavailable|unavailable|too many|memory_limit|memory limit|connect|closed/i
const DATA_TEXT =
  /parse|surrogate|json|utf-?8|type mismatch|incorrect_data|cannot_parse|illegal|invalid|unexpected/i

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: unknown } | null
  if (!e || typeof e !== 'object') return ''
  if (typeof e.code === 'string') return e.code
  return e.cause ? codeOf(e.cause) : ''
}

/** The store is unreachable or overloaded: the same rows may well go in later, so they are retried. */
export function isTransient(err: Error): boolean {
  return TRANSIENT_CODES.has(codeOf(err)) || TRANSIENT_TEXT.test(err.message)
}

type Attempt = 'ok' | 'refused' | 'closing'

/**
 * Stores `rows` with `insert(part, start)`. A store that is down is retried with backoff for as long as
 * it takes. Rows the store refuses (twice) are split in halves until the refused ones stand alone; a
 * row refused twice on its own is handed to `onPoison` once a neighbour went in (or the store named a
 * data error), so one bad row never blocks the rest. False only when closing ran out of time.
 */
export async function storeRows<R>(
  p: RetryPolicyDeps,
  what: string,
  rows: R[],
  insert: (part: R[], start: number) => Promise<void>,
): Promise<boolean> {
  let stored = 0
  async function attempt(part: R[], start: number): Promise<{ r: Attempt; err?: Error }> {
    let backoff = p.retryMinMs
    let refused = 0
    for (;;) {
      try {
        await insert(part, start)
        stored += part.length
        return { r: 'ok' }
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e))
        p.onError(what, err, backoff)
        if (!isTransient(err) && ++refused >= 2) return { r: 'refused', err }
        const left = p.deadline() - Date.now()
        if (left <= 0) return { r: 'closing' }
        await p.sleep(Math.min(backoff, left))
        backoff = Math.min(backoff * 2, p.retryMaxMs)
      }
    }
  }
  if (rows.length === 0) return true
  const queue: Array<{ part: R[]; start: number }> = [{ part: rows, start: 0 }]
  const suspects: Array<{ row: R; start: number; err: Error }> = []
  while (queue.length > 0) {
    const { part, start } = queue.shift() as { part: R[]; start: number }
    const a = await attempt(part, start)
    if (a.r === 'closing') return false
    if (a.r === 'ok') continue
    if (part.length === 1) suspects.push({ row: part[0] as R, start, err: a.err as Error })
    else {
      const mid = Math.ceil(part.length / 2)
      queue.push({ part: part.slice(0, mid), start }, { part: part.slice(mid), start: start + mid })
    }
  }
  for (const s of suspects) {
    let err: Error | null = s.err
    // Nothing went in and the error does not name the data: more likely the store than this row.
    while (err && stored === 0 && !DATA_TEXT.test(err.message)) {
      const a = await attempt([s.row], s.start)
      if (a.r === 'closing') return false
      err = a.r === 'ok' ? null : (a.err as Error)
    }
    if (err) p.onPoison(what, s.row, err)
  }
  return true
}
