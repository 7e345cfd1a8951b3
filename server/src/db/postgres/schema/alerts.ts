import type { AlertSpec } from '@leash/shared'
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { projects } from './projects.ts'

const ts = (name: string) => timestamp(name, { withTimezone: true })

/** What an on-call engineer is paged about; `spec` is validated by `AlertSpec` (@leash/shared). */
export const alertRules = pgTable(
  'alert_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    /** Metric the rule watches (the first leg for trade-off rules). */
    metric: text('metric').notNull(),
    spec: jsonb('spec').$type<AlertSpec>().notNull(),
    window: text('window').notNull(),
    interval: text('interval').notNull(),
    severity: text('severity').notNull(),
    minSamples: integer('min_samples'),
    forWindows: integer('for_windows').notNull().default(1),
    /** Hysteresis threshold, copied from the spec for listing; the spec is authoritative. */
    clearThreshold: doublePrecision('clear_threshold'),
    keepFiringFor: text('keep_firing_for').notNull().default('0s'),
    groupBy: jsonb('group_by').$type<string[]>().notNull().default([]),
    runbookUrl: text('runbook_url'),
    channels: jsonb('channels').$type<string[]>().notNull().default([]),
    enabled: boolean('enabled').notNull().default(true),
    /** Set on rules created by `ensureDefaultRules`, so they are seeded once per project. */
    builtin: text('builtin'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /** Deleted rules are kept (disabled, hidden) so their incidents stay in the history and reports. */
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    index('alert_rules_project_idx').on(t.projectId),
    uniqueIndex('alert_rules_builtin_idx').on(t.projectId, t.builtin),
  ],
)

/** Evaluation state of one rule for one label set (fingerprint = hash of rule id + sorted labels). */
export const alertInstances = pgTable(
  'alert_instances',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => alertRules.id, { onDelete: 'cascade' }),
    fingerprint: text('fingerprint').notNull(),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    state: text('state').notNull().default('Normal'),
    /** The state InsufficientData / EvalError hold (the machine resumes from it). */
    heldState: text('held_state'),
    since: ts('since').notNull().defaultNow(),
    badCount: integer('bad_count').notNull().default(0),
    goodCount: integer('good_count').notNull().default(0),
    lastEvalAt: ts('last_eval_at'),
    lastValue: doublePrecision('last_value'),
    lastEvidence: jsonb('last_evidence').$type<Record<string, unknown>>(),
    lastError: text('last_error'),
    /** Epoch ms of each entry into Firing, newest last (pruned to the last hour). */
    flips: jsonb('flips').$type<number[]>().notNull().default([]),
  },
  (t) => [uniqueIndex('alert_instances_rule_fp_idx').on(t.ruleId, t.fingerprint)],
)

/** The person's side of an alert: open -> acknowledged -> resolved. */
export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => alertRules.id, { onDelete: 'cascade' }),
    fingerprint: text('fingerprint').notNull(),
    state: text('state').notNull().default('open'),
    severity: text('severity').notNull(),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    startedAt: ts('started_at').notNull(),
    acknowledgedAt: ts('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    resolvedAt: ts('resolved_at'),
    resolvedBy: text('resolved_by'),
    resolveNote: text('resolve_note'),
    snoozedUntil: ts('snoozed_until'),
    /** Snoozed "until worse": notifications resume once the value is worse than this. */
    snoozeUntilWorse: doublePrecision('snooze_until_worse'),
    regressedCount: integer('regressed_count').notNull().default(0),
    flapping: boolean('flapping').notNull().default(false),
    /** Whether the rule instance is currently firing (Firing or Recovering). */
    firing: boolean('firing').notNull().default(true),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull().default({}),
    lastNotifiedAt: ts('last_notified_at'),
    /** Per-channel notification state, e.g. a Slack thread ts. */
    notifyState: jsonb('notify_state').$type<Record<string, string>>().notNull().default({}),
    timeToAckMs: bigint('time_to_ack_ms', { mode: 'number' }),
    timeToResolveMs: bigint('time_to_resolve_ms', { mode: 'number' }),
  },
  (t) => [
    index('incidents_project_state_idx').on(t.projectId, t.state),
    index('incidents_rule_fp_idx').on(t.ruleId, t.fingerprint),
  ],
)

/** Timeline of an incident: state changes, notifications, notes. */
export const incidentEvents = pgTable(
  'incident_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    type: text('type').notNull(),
    actor: text('actor'),
    message: text('message').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('incident_events_incident_idx').on(t.incidentId, t.at)],
)

/** Where notifications go. `config` holds secrets (HMAC secret, routing key): never returned unmasked. */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    config: jsonb('config').$type<Record<string, string>>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('notification_channels_project_idx').on(t.projectId)],
)

/** The delivery queue: one row per (notification, channel), retried with backoff until delivered or dead. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    incidentId: uuid('incident_id').references(() => incidents.id, { onDelete: 'cascade' }),
    /** firing | resolved | acknowledged | regressed | eval_error | renotify */
    event: text('event').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lastError: text('last_error'),
    responseStatus: integer('response_status'),
    createdAt: ts('created_at').notNull(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    index('notification_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('notification_deliveries_channel_idx').on(t.channelId, t.createdAt),
  ],
)
