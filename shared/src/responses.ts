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
  /** Rates of binary scorers: `corrected` (human) or `corrected-judge` with `labels` labels, or `raw`. */
  estimate: z.enum(['corrected', 'corrected-judge', 'raw']).nullable().optional(),
  labels: z.number().nullable().optional(),
  window: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  current: Figure.nullable().optional(),
  /** The figure at the latest evaluation (the evidence itself is from when the alert opened). */
  latest: Figure.extend({ at: z.string() }).nullable().optional(),
  baseline: Figure.extend({ from: z.string(), to: z.string(), label: z.string().optional() })
    .nullable()
    .optional(),
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
  /** The opening paragraph, written from the numbers (absent from reports built before it existed). */
  summary: z.array(z.string()).optional(),
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
          /** Rates of binary scorers: `corrected` with `labels` uniform human labels, or `raw`. */
          estimate: z.enum(['corrected', 'corrected-judge', 'raw']).optional(),
          labels: z.number().optional(),
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

/** `GET /api/scorers/accuracy`: per catalog metric, its scorers' accuracy bars on held-out data (scorer card). */
export const ScorerAccuracyResponse = z.object({
  /** false when the server has no scorer card (server/models/card.json). */
  available: z.boolean(),
  commit: z.string().nullable(),
  items: z.array(
    z.object({
      metric: z.string(),
      score: z.string(),
      /** null when no bar applies to this score. */
      barMet: z.boolean().nullable(),
      summary: z.string(),
      misses: z.array(
        z.object({
          metric: z.string(),
          dataset: z.string(),
          value: z.number(),
          bar: z.number(),
          kind: z.enum(['min', 'max']),
        }),
      ),
    }),
  ),
})
export type ScorerAccuracyResponse = z.infer<typeof ScorerAccuracyResponse>
/** `POST /api/notification-channels/:id/test`: the one attempt's outcome. */
export const TestDelivery = z.object({
  id: z.string(),
  status: z.string(),
  responseStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
})
export type TestDelivery = z.infer<typeof TestDelivery>
// ---- Reference model: the Leash panel (issue 19, decision 024) ----

export const ReferenceQuery = z.object({
  project: z.string().optional(),
  model: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Series bucket, minutes (default: the window / 24). */
  stepMinutes: z.coerce.number().int().positive().max(10_080).optional(),
})
export type ReferenceQuery = z.infer<typeof ReferenceQuery>

const RefEstimate = z.object({ value: z.number(), lo: z.number(), hi: z.number() })
const RefWindowStats = z.object({
  n: z.number(),
  mean: RefEstimate,
  trimmedMean: RefEstimate,
  p95: RefEstimate,
})

export const ReferenceCountersBody = z.object({
  sampled: z.number(),
  compared: z.number(),
  droppedQueueFull: z.number(),
  droppedBudget: z.number(),
  droppedTokenization: z.number(),
  droppedUnscorable: z.number(),
  failed: z.number(),
  delayed: z.number(),
  writeFailed: z.number(),
  queued: z.number(),
  usdToday: z.number(),
  lastError: z.string().nullable(),
  lastComparedAt: z.string().nullable(),
})
export type ReferenceCountersBody = z.infer<typeof ReferenceCountersBody>

export const ReferencePair = z.object({
  eventId: z.string(),
  time: z.string(),
  prompt: z.string(),
  policyText: z.string(),
  referenceText: z.string(),
  rewardDelta: z.number(),
  refusalDelta: z.number(),
  lengthRatio: z.number(),
})

export const LeashView = z.object({
  from: z.string(),
  to: z.string(),
  model: z.string().nullable(),
  models: z.array(
    z.object({ model: z.string(), referenceModel: z.string(), mode: z.string(), n: z.number() }),
  ),
  reference: z.object({ model: z.string(), mode: z.string(), klBudget: z.number().nullable() }).nullable(),
  counters: ReferenceCountersBody.nullable(),
  /** k3 and k1 of KL(policy || reference) per response, nats; null without logprobs comparisons. */
  kl: RefWindowStats.nullable(),
  klK1: RefWindowStats.nullable(),
  paired: z
    .object({
      n: z.number(),
      rewardDelta: RefEstimate,
      refusalDelta: RefEstimate,
      lengthRatio: RefEstimate,
      /** Sign test on the reward deltas (ties dropped). */
      rewardSign: z.object({ positive: z.number(), negative: z.number(), p: z.number() }),
    })
    .nullable(),
  series: z.array(
    z.object({
      t: z.string(),
      n: z.number(),
      kl: z.number().nullable(),
      refusalDelta: z.number().nullable(),
    }),
  ),
  topPrompts: z.array(
    z.object({
      eventId: z.string(),
      prompt: z.string(),
      kl: z.number(),
      maxToken: z.string(),
      maxTerm: z.number(),
    }),
  ),
  topTokens: z.array(z.object({ token: z.string(), count: z.number(), meanTerm: z.number() })),
  pairs: z.array(ReferencePair),
})
export type LeashView = z.infer<typeof LeashView>
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
