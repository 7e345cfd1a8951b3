import os from 'node:os'
import type { IngestHealthRow } from '../db/clickhouse/queries/insert-ingest-health.ts'
import type { Logger } from '../log.ts'

export type HealthWriter = (rows: IngestHealthRow[]) => Promise<void>

interface Tally {
  spool: number
  deadLettered: number
  invalid: number
}

/** Process-wide spool counters, read at each report. */
export interface SpoolCounters {
  droppedNew: number
  droppedOld: number
  droppedDiskFull: number
  records: number
}

// Rows kept for a later try while ClickHouse refuses them (a day of 15 s reports from one replica).
const PENDING_MAX = 6_000

/**
 * Turns the pipeline's drop counters into `ingest_health_v1` rows, so alert rules (which read
 * ClickHouse) see drops: a row per project for drops whose project is known, and one replica row
 * per report (project '') for the rest, which every project's `records_dropped` reads.
 */
export class HealthReporter {
  private byProject = new Map<string, Tally>()
  private attributedSpool = 0
  private seen = { spool: 0, diskFull: 0 }
  private last = Date.now()
  private pending: IngestHealthRow[] = []
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> = Promise.resolve()
  readonly replica: string

  constructor(
    private readonly opts: {
      write: HealthWriter
      spool: () => SpoolCounters
      log: Logger
      intervalMs?: number
      replica?: string
    },
  ) {
    this.replica = opts.replica ?? `${os.hostname()}:${process.pid}`
  }

  /** One exchange of `projectId` not recorded, for the reason given. */
  count(projectId: string, what: keyof Tally): void {
    let t = this.byProject.get(projectId)
    if (!t) {
      t = { spool: 0, deadLettered: 0, invalid: 0 }
      this.byProject.set(projectId, t)
    }
    t[what]++
    if (what === 'spool') this.attributedSpool++
  }

  start(): void {
    this.timer = setInterval(() => void this.report(), this.opts.intervalMs ?? 15_000)
    this.timer.unref()
  }

  /** Writes the counts since the last report (and any rows an earlier failure kept). Never throws. */
  report(): Promise<void> {
    this.running = this.running.then(() => this.writeOnce())
    return this.running
  }

  /** Stops the timer and writes a last report (call after the spool closed, so losses at close count). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.report()
  }

  private collect(): IngestHealthRow[] {
    const now = Date.now()
    const s = this.opts.spool()
    const spoolTotal = s.droppedNew + s.droppedOld
    const base = { time: now, replica: this.replica, interval_ms: now - this.last, dropped_disk_full: 0 }
    const rows: IngestHealthRow[] = []
    for (const [projectId, t] of this.byProject)
      rows.push({
        ...base,
        project_id: projectId,
        dropped: t.spool + t.deadLettered + t.invalid,
        dropped_spool: t.spool,
        dead_lettered: t.deadLettered,
        invalid: t.invalid,
        spooled: 0,
      })
    // Spool drops no project was named for: older records dropped for room, records lost at close.
    const unattributed = Math.max(0, spoolTotal - this.seen.spool - this.attributedSpool)
    rows.push({
      ...base,
      project_id: '',
      dropped: unattributed,
      dropped_spool: unattributed,
      dropped_disk_full: Math.max(0, s.droppedDiskFull - this.seen.diskFull),
      dead_lettered: 0,
      invalid: 0,
      spooled: s.records,
    })
    this.byProject.clear()
    this.attributedSpool = 0
    this.seen = { spool: spoolTotal, diskFull: s.droppedDiskFull }
    this.last = now
    return rows
  }

  private async writeOnce(): Promise<void> {
    const rows = [...this.pending, ...this.collect()]
    try {
      await this.opts.write(rows)
      this.pending = []
    } catch (err) {
      this.pending = rows.slice(-PENDING_MAX)
      this.opts.log('error', 'ingest: could not write the ingest health rows; kept for the next report', {
        error: err instanceof Error ? err.message : String(err),
        rows: this.pending.length,
      })
    }
  }
}
