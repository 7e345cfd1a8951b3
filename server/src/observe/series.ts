/**
 * Hot-path metric state for the gateway: one preallocated series per (endpoint, route, upstream,
 * status), found through nested maps, so observing a call allocates nothing once its labels were
 * seen. The registry turns these into Prometheus text only when scraped (see metrics.ts).
 */

/** Seconds: proxied calls run from milliseconds (cached, tiny) to minutes (long generations). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const

export class Buckets {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length)
  sum = 0
  count = 0

  observe(seconds: number): void {
    this.sum += seconds
    this.count++
    // Counts per bucket (not cumulative); cumulated at scrape.
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= (LATENCY_BUCKETS[i] as number)) {
        ;(this.counts[i] as number)++
        return
      }
    }
  }
}

export interface CallSeries {
  readonly endpoint: string
  readonly route: string
  readonly upstream: string
  readonly status: string
  requests: number
  readonly duration: Buckets
  readonly ttfb: Buckets
  /** Calls whose outcome was not `ok`, by outcome (upstream_error, timeout, client_aborted, ...). */
  readonly errors: Map<string, number>
}

type Level<T> = Map<string, T>

// biome-ignore lint/suspicious/noExplicitAny: one helper for every level of the nested maps
function child(level: Map<string, any>, key: string): Map<any, any> {
  let next = level.get(key)
  if (!next) {
    next = new Map()
    level.set(key, next)
  }
  return next
}

export class CallSeriesTable {
  private readonly root: Level<Level<Level<Map<number, CallSeries>>>> = new Map()
  readonly all: CallSeries[] = []

  get(endpoint: string, route: string, upstream: string, status: number): CallSeries {
    const byRoute = child(this.root, endpoint)
    const byUpstream = child(byRoute, route)
    const byStatus = child(byUpstream, upstream) as Map<number, CallSeries>
    let s = byStatus.get(status)
    if (!s) {
      s = {
        endpoint,
        route,
        upstream: upstream || 'none',
        status: String(status),
        requests: 0,
        duration: new Buckets(),
        ttfb: new Buckets(),
        errors: new Map(),
      }
      byStatus.set(status, s)
      this.all.push(s)
    }
    return s
  }
}

/** Per-scorer counts kept by the scoring pool. */
export interface ScorerSeries {
  exchanges: number
  batches: number
  failures: number
}

export class ScorerSeriesTable {
  readonly byName = new Map<string, ScorerSeries>()
  /** Batches handed to scoring threads and not answered yet. */
  queued = 0

  get(name: string): ScorerSeries {
    let s = this.byName.get(name)
    if (!s) {
      s = { exchanges: 0, batches: 0, failures: 0 }
      this.byName.set(name, s)
    }
    return s
  }
}
