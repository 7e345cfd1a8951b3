import { z } from 'zod'
import { defineInsert, defineQuery } from '../db/clickhouse/query.ts'

/** One comparison of a sampled exchange with its reference (reference_responses_v1, migration 025). */
export interface ReferenceRow {
  projectId: string
  eventId: string
  time: number
  model: string
  route: string
  referenceModel: string
  mode: 'logprobs' | 'paired'
  prompt: string
  policyText: string
  referenceText: string
  tokens: number
  k1: number
  k3: number
  maxToken: string
  maxTerm: number
  rewardDelta: number
  refusalDelta: number
  lengthRatio: number
  retentionDays?: number
}

const finite = z.number().refine(Number.isFinite, 'must be finite')

const InsertRow = z.object({
  project_id: z.string().min(1),
  event_id: z.guid(),
  time: z.number().int().nonnegative(),
  model: z.string(),
  route: z.string(),
  reference_model: z.string().min(1),
  mode: z.enum(['logprobs', 'paired']),
  prompt: z.string(),
  policy_text: z.string(),
  reference_text: z.string(),
  tokens: z.number().int().nonnegative(),
  k1: finite,
  k3: finite,
  max_token: z.string(),
  max_term: finite,
  reward_delta: finite,
  refusal_delta: finite,
  length_ratio: finite,
  retention_days: z.number().int().min(1).max(3650),
})

export const insertReferenceRows = defineInsert({
  name: 'insert_reference_responses',
  table: 'reference_responses_v1',
  row: (r: ReferenceRow) =>
    InsertRow.parse({
      project_id: r.projectId,
      event_id: r.eventId,
      time: Math.round(r.time),
      model: r.model,
      route: r.route,
      reference_model: r.referenceModel,
      mode: r.mode,
      prompt: r.prompt.slice(0, 20_000),
      policy_text: r.policyText.slice(0, 50_000),
      reference_text: r.referenceText.slice(0, 50_000),
      tokens: r.tokens,
      k1: r.k1,
      k3: r.k3,
      max_token: r.maxToken,
      max_term: r.maxTerm,
      reward_delta: r.rewardDelta,
      refusal_delta: r.refusalDelta,
      length_ratio: r.lengthRatio,
      retention_days: r.retentionDays ?? 90,
    }),
})

const Window = z.object({
  projectId: z.string(),
  model: z.string().optional(),
  fromMs: z.number().int(),
  toMs: z.number().int(),
})

const WHERE = `project_id = {projectId:String}
  AND time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`

const modelFilter = (p: { model?: string }) => (p.model ? ' AND model = {model:String}' : '')

export const ReferenceListRow = z.object({
  event_id: z.string(),
  at: z.string(),
  model: z.string(),
  route: z.string(),
  reference_model: z.string(),
  mode: z.string(),
  prompt: z.string(),
  policy_text: z.string(),
  reference_text: z.string(),
  tokens: z.coerce.number(),
  k1: z.number(),
  k3: z.number(),
  max_token: z.string(),
  max_term: z.number(),
  reward_delta: z.number(),
  refusal_delta: z.number(),
  length_ratio: z.number(),
})
export type ReferenceListRow = z.infer<typeof ReferenceListRow>

/** Every comparison in a window (latest per event), newest first, capped. */
export const listReferenceRows = defineQuery({
  name: 'reference_rows',
  params: Window.extend({ limit: z.number().int().positive().max(100_000).default(10_000) }),
  row: ReferenceListRow,
  sql: (
    p,
  ) => `SELECT toString(event_id) AS event_id, formatDateTime(time, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS at,
    model, route, reference_model, mode, prompt, policy_text, reference_text, tokens, k1, k3, max_token, max_term,
    reward_delta, refusal_delta, length_ratio
  FROM reference_responses_v1 FINAL
  WHERE ${WHERE}${modelFilter(p)}
  ORDER BY reference_responses_v1.time DESC
  LIMIT {limit:UInt32}`,
})

/** The models with comparisons in a window. */
export const referenceModels = defineQuery({
  name: 'reference_models',
  params: Window,
  row: z.object({ model: z.string(), reference_model: z.string(), mode: z.string(), n: z.coerce.number() }),
  sql: `SELECT model, any(reference_model) AS reference_model, any(mode) AS mode, count() AS n
  FROM reference_responses_v1 FINAL WHERE ${WHERE} GROUP BY model ORDER BY n DESC`,
})
