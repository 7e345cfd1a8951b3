import { and, eq, gte, lt } from 'drizzle-orm'
import { alertRules, type Db, incidents } from '../db/postgres/index.ts'

export interface ReportAlert {
  rule: string
  metric: string
  severity: string
  state: string
  labels: Record<string, string>
  startedAt: number
  acknowledgedAt: number | null
  resolvedAt: number | null
  timeToAckMs: number | null
  timeToResolveMs: number | null
}

export interface ReportAlerts {
  /** false when the alert tables could not be read; `note` says why (never shown as "no alerts"). */
  available: boolean
  note: string | null
  items: ReportAlert[]
  fired: number
  acknowledged: number
  resolved: number
  medianTimeToAckMs: number | null
  medianTimeToResolveMs: number | null
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Incidents that started in [from, to), with how fast they were handled. */
export async function alertsFired(
  db: Db,
  projectId: string,
  from: number,
  to: number,
): Promise<ReportAlerts> {
  try {
    const rows = await db
      .select({
        rule: alertRules.name,
        metric: alertRules.metric,
        severity: incidents.severity,
        state: incidents.state,
        labels: incidents.labels,
        startedAt: incidents.startedAt,
        acknowledgedAt: incidents.acknowledgedAt,
        resolvedAt: incidents.resolvedAt,
        timeToAckMs: incidents.timeToAckMs,
        timeToResolveMs: incidents.timeToResolveMs,
      })
      .from(incidents)
      .innerJoin(alertRules, eq(alertRules.id, incidents.ruleId))
      .where(
        and(
          eq(incidents.projectId, projectId),
          gte(incidents.startedAt, new Date(from)),
          lt(incidents.startedAt, new Date(to)),
        ),
      )
      .orderBy(incidents.startedAt)
    const items: ReportAlert[] = rows.map((r) => ({
      rule: r.rule,
      metric: r.metric,
      severity: r.severity,
      state: r.state,
      labels: r.labels,
      startedAt: r.startedAt.getTime(),
      acknowledgedAt: r.acknowledgedAt?.getTime() ?? null,
      resolvedAt: r.resolvedAt?.getTime() ?? null,
      timeToAckMs: r.timeToAckMs ?? null,
      timeToResolveMs: r.timeToResolveMs ?? null,
    }))
    const acks = items.flatMap((i) => (i.timeToAckMs !== null ? [i.timeToAckMs] : []))
    const res = items.flatMap((i) => (i.timeToResolveMs !== null ? [i.timeToResolveMs] : []))
    return {
      available: true,
      note: null,
      items,
      fired: items.length,
      acknowledged: items.filter((i) => i.acknowledgedAt !== null).length,
      resolved: items.filter((i) => i.resolvedAt !== null).length,
      medianTimeToAckMs: median(acks),
      medianTimeToResolveMs: median(res),
    }
  } catch (err) {
    return {
      available: false,
      note: `alerts could not be read: ${(err as Error).message.split('\n')[0]}`,
      items: [],
      fired: 0,
      acknowledged: 0,
      resolved: 0,
      medianTimeToAckMs: null,
      medianTimeToResolveMs: null,
    }
  }
}
