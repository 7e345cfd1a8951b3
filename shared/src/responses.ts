import { z } from 'zod'
import { AlertRule } from './alerts.ts'
import { Project } from './api.ts'
import { MetricFigure } from './metrics.ts'
import { ProjectSettings } from './settings.ts'

/**
 * Response bodies of the routes the dashboard reads that the server types only in TypeScript; the
 * dashboard validates with them, so a drift between the two fails loudly instead of rendering undefined.
 */

/** `GET /api/projects`. */
export const ProjectList = z.object({ items: z.array(Project) })
export type ProjectList = z.infer<typeof ProjectList>

/** `GET|PUT /api/projects/:project/settings`. */
export const SettingsResponse = z.object({ projectId: z.string(), settings: ProjectSettings })
export type SettingsResponse = z.infer<typeof SettingsResponse>

/** `GET /api/alert-rules` (each rule also carries its instances, not read by the dashboard). */
export const AlertRuleList = z.object({ items: z.array(AlertRule) })
export type AlertRuleList = z.infer<typeof AlertRuleList>

/** `GET /api/ingest/status` (server/src/ingest/pipeline.ts `IngestStatus`). */
export const IngestStatusBody = z.object({
  spool: z.object({
    records: z.number(),
    bytes: z.number(),
    oldestAgeMs: z.number(),
    segments: z.number(),
    maxBytes: z.number(),
    nearFull: z.boolean(),
    full: z.boolean(),
    policy: z.string(),
    droppedNew: z.number(),
    droppedOld: z.number(),
    writeErrors: z.number(),
  }),
  insert: z.object({
    rowsPerSecond: z.number(),
    written: z.number(),
    scored: z.number(),
    invalid: z.number(),
    errors: z.number(),
    lastError: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
  }),
  torn: z.number(),
})
export type IngestStatusBody = z.infer<typeof IngestStatusBody>

const Figure = z.object({
  value: z.number().nullable(),
  lo: z.number().nullable(),
  hi: z.number().nullable(),
  n: z.number(),
})

const EvidenceExample = z.object({
  eventId: z.string(),
  excerpt: z.string(),
  value: z.number().nullable().optional(),
})

/**
 * Incident evidence (server/src/alerts/evidence.ts `collectEvidence`), stored as JSON per incident.
 * Fields stay optional: evidence written by older versions lacks some, and the page shows what is present.
 */
const EvidenceBase = z.looseObject({
  metric: z.string().optional(),
  summary: z.string().optional(),
  value: z.number().nullable().optional(),
  threshold: z.number().nullable().optional(),
  clear: z.number().nullable().optional(),
  op: z.enum(['>', '<']).optional(),
  interval: z.tuple([z.number(), z.number()]).nullable().optional(),
  n: z.number().optional(),
  window: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  current: Figure.nullable().optional(),
  /** The figure at the latest evaluation (the evidence itself is from when the alert opened). */
  latest: Figure.extend({ at: z.string() }).nullable().optional(),
  baseline: Figure.extend({ from: z.string(), to: z.string() }).nullable().optional(),
  extra: z.record(z.string(), z.unknown()).nullable().optional(),
  evaluatedAt: z.string().optional(),
  slice: z
    .object({
      dimension: z.string(),
      labels: z.record(z.string(), z.string()),
      value: z.number(),
      n: z.number(),
      contribution: z.number(),
      share: z.number(),
    })
    .nullable()
    .optional(),
  examples: z.array(EvidenceExample).optional(),
  errors: z.array(z.string()).optional(),
})

/** One evidence shape per rule kind; a no-data alert has no slice and no examples to show. */
export const AlertEvidence = z.union([
  z.discriminatedUnion('kind', [
    EvidenceBase.extend({ kind: z.literal('threshold') }),
    EvidenceBase.extend({ kind: z.literal('change') }),
    EvidenceBase.extend({ kind: z.literal('drift') }),
    EvidenceBase.extend({ kind: z.literal('tradeoff') }),
    EvidenceBase.extend({ kind: z.literal('burn_rate') }),
    EvidenceBase.extend({
      kind: z.literal('no_data'),
      slice: z.null().optional(),
      examples: z.array(EvidenceExample).max(0).optional(),
    }),
  ]),
  EvidenceBase.extend({ kind: z.undefined().optional() }),
])
export type AlertEvidence = z.infer<typeof AlertEvidence>

/** `GET /api/alerts` item (server/src/alerts/incidents.ts `toItem`). */
export const AlertItem = z.object({
  id: z.string(),
  rule: z.string(),
  ruleId: z.string(),
  kind: z.string(),
  state: z.enum(['open', 'acknowledged', 'resolved']),
  severity: z.string(),
  labels: z.record(z.string(), z.string()),
  startedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolveNote: z.string().nullable(),
  snoozedUntil: z.string().nullable(),
  snoozedUntilWorse: z.number().nullable(),
  regressedCount: z.number(),
  flapping: z.boolean(),
  firing: z.boolean(),
  timeToAckMs: z.number().nullable(),
  timeToResolveMs: z.number().nullable(),
  evidence: AlertEvidence,
})
export type AlertItem = z.infer<typeof AlertItem>

export const AlertList = z.object({ items: z.array(AlertItem) })

/** `GET /api/alerts/:id` and the answers of ack / resolve / snooze. */
export const AlertDetail = AlertItem.extend({
  runbookUrl: z.string().nullable(),
  timeline: z.array(
    z.object({
      at: z.string(),
      type: z.string(),
      actor: z.string().nullable(),
      message: z.string(),
      data: z.record(z.string(), z.unknown()),
    }),
  ),
})
export type AlertDetail = z.infer<typeof AlertDetail>

/** `GET /api/notification-channels` item; secrets arrive masked. */
export const Channel = z.object({
  id: z.string(),
  projectId: z.string(),
  kind: z.string(),
  name: z.string(),
  config: z.record(z.string(), z.string()),
  createdAt: z.string(),
})
export type Channel = z.infer<typeof Channel>

export const ChannelList = z.object({ items: z.array(Channel) })

export const Deliveries = z.object({
  channel: Channel,
  items: z.array(
    z.object({
      id: z.string(),
      incidentId: z.string().nullable(),
      event: z.string(),
      status: z.string(),
      attempts: z.number(),
      lastError: z.string().nullable(),
      responseStatus: z.number().nullable(),
      nextAttemptAt: z.string().nullable(),
      createdAt: z.string(),
      deliveredAt: z.string().nullable(),
    }),
  ),
})
export type Deliveries = z.infer<typeof Deliveries>

const MetricValueBody = MetricFigure.extend({ labels: z.record(z.string(), z.string()) })
export type MetricValueBody = z.infer<typeof MetricValueBody>

const Comparison = z.object({
  baseline: MetricValueBody,
  delta: z.number().nullable(),
  relative: z.number().nullable(),
  test: z.string(),
  p: z.number().nullable(),
  pAdjusted: z.number().nullable(),
  significant: z.boolean(),
})
export type Comparison = z.infer<typeof Comparison>

const WeekRange = z.object({ week: z.string(), from: z.number(), to: z.number() })

/** `GET /api/reports/weekly?format=json` (server/src/reports/weekly.ts `WeeklyReport`). */
export const WeeklyReportBody = z.object({
  project: z.object({ id: z.string(), name: z.string() }),
  week: z.string(),
  from: z.number(),
  to: z.number(),
  lastWeek: WeekRange,
  baseline: WeekRange.nullable(),
  generatedAt: z.number(),
  guard: z.object({ method: z.string(), alpha: z.number(), tests: z.number() }),
  slices: z.array(
    z.object({
      model: z.string(),
      route: z.string(),
      requests: z.number(),
      metrics: z.array(
        z.object({
          metric: z.string(),
          family: z.string(),
          unit: z.string(),
          better: z.string(),
          thisWeek: MetricValueBody,
          lastWeek: Comparison,
          pinned: Comparison.nullable(),
          verdict: z.enum(['better', 'worse', 'changed', 'unchanged', 'insufficient']),
        }),
      ),
      examples: z.array(
        z.object({
          metric: z.string(),
          items: z.array(
            z.object({
              eventId: z.string(),
              time: z.number(),
              model: z.string(),
              route: z.string(),
              value: z.number().nullable(),
              prompt: z.string(),
              excerpt: z.string(),
            }),
          ),
        }),
      ),
    }),
  ),
  alerts: z
    .object({
      available: z.boolean(),
      note: z.string().nullable(),
      items: z.array(
        z.object({
          rule: z.string(),
          metric: z.string(),
          severity: z.string(),
          state: z.string(),
          labels: z.record(z.string(), z.string()),
          startedAt: z.number(),
          acknowledgedAt: z.number().nullable(),
          resolvedAt: z.number().nullable(),
          timeToAckMs: z.number().nullable(),
          timeToResolveMs: z.number().nullable(),
        }),
      ),
      fired: z.number(),
      acknowledged: z.number(),
      resolved: z.number(),
      medianTimeToAckMs: z.number().nullable(),
      medianTimeToResolveMs: z.number().nullable(),
    })
    .nullable(),
})
export type WeeklyReportBody = z.infer<typeof WeeklyReportBody>
export type ReportSlice = WeeklyReportBody['slices'][number]
export type ReportRow = ReportSlice['metrics'][number]

/** `GET /api/projects/:project/keys`: a project's keys, never the secret. */
export const KeyList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      prefix: z.string(),
      createdBy: z.string().nullable(),
      createdAt: z.string(),
      lastUsedAt: z.string().nullable(),
      revokedAt: z.string().nullable(),
    }),
  ),
})
export type KeyList = z.infer<typeof KeyList>

/** `GET /api/projects/:project/tokens`: admin API tokens scoped to the project and a role. */
export const TokenList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      role: z.string().nullable(),
      createdBy: z.string(),
      createdAt: z.string(),
      lastUsedAt: z.string().nullable(),
      revokedAt: z.string().nullable(),
    }),
  ),
})

/** `POST /api/projects/:project/keys` and `/tokens`: the secret, shown once. */
export const CreatedSecret = z.object({
  id: z.string(),
  key: z.string().optional(),
  token: z.string().optional(),
})

/** `GET /api/projects/:project/members`. */
export const MemberList = z.object({
  items: z.array(z.object({ id: z.string(), email: z.string(), role: z.string(), since: z.string() })),
})

/** `GET /api/users` (instance owner). */
export const UserList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      email: z.string(),
      kind: z.string(),
      createdAt: z.string(),
      projects: z.array(z.object({ project: z.string(), projectId: z.string(), role: z.string() })),
    }),
  ),
})
export type UserList = z.infer<typeof UserList>

/** `GET /api/projects/:project/audit` and `GET /api/audit`. */
export const AuditList = z.object({
  items: z.array(
    z.object({
      id: z.number(),
      at: z.string(),
      actor: z.string(),
      action: z.string(),
      path: z.string(),
      status: z.number(),
      projectId: z.string().nullable(),
      ip: z.string().nullable(),
    }),
  ),
})
export type AuditList = z.infer<typeof AuditList>
