import { z } from 'zod'

/**
 * Per-project settings, stored as JSON in `projects.settings` (Postgres) and validated here on read
 * and write. Every field has a default, so `{}` is a valid settings object.
 */

/** One upstream a route can send a call to. Provider keys are never stored: name an env var instead. */
export const UpstreamSettings = z.object({
  name: z.string().min(1),
  baseUrl: z.url(),
  /** Environment variable holding the provider key (Leash-held key mode); omitted = no key sent. */
  apiKeyEnv: z.string().min(1).optional(),
  /** The API it speaks: `anthropic` upstreams serve `/v1/messages` (base URL without `/v1`). */
  api: z.enum(['openai', 'anthropic']).optional(),
  /** Requested model name -> the name this upstream knows it by. */
  modelMap: z.record(z.string(), z.string()).default({}),
  /** Total per-attempt timeout for this upstream, ms; defaults to the gateway's. */
  timeoutMs: z.number().int().positive().optional(),
})
export type UpstreamSettings = z.infer<typeof UpstreamSettings>

/** A route: chosen by model name (exact, or glob with `*`), tried upstream by upstream in order. */
export const RouteSettings = z.object({
  name: z.string().min(1),
  models: z.array(z.string().min(1)).min(1),
  upstreams: z.array(UpstreamSettings).min(1),
})
export type RouteSettings = z.infer<typeof RouteSettings>

/** USD per million tokens. */
export const ModelPrice = z.object({
  input: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
})
export type ModelPrice = z.infer<typeof ModelPrice>

export const RedactionKind = z.enum(['email', 'phone', 'card', 'api_key'])
export type RedactionKind = z.infer<typeof RedactionKind>

export const RewardModelRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin') }),
  /** A Hugging Face ONNX layout folder (config.json, tokenizer.json, model.onnx). */
  z.object({
    kind: z.literal('onnx'),
    path: z.string().min(1),
    /** Model input: hh transcript, (prompt, response) pair, or chat template; default: chat when the model has a template. */
    input: z.enum(['transcript', 'pair', 'chat']).optional(),
  }),
  z.object({ kind: z.literal('remote'), url: z.url(), timeoutMs: z.number().int().positive().optional() }),
])
export type RewardModelRef = z.infer<typeof RewardModelRef>

/**
 * The reference a deployed model is measured against (issue 19, decision 024): any OpenAI-compatible
 * endpoint and model. `logprobs` mode scores the recorded completion at the policy and the reference
 * (`/v1/completions` with `echo`) and estimates KL(policy || reference); `paired` mode sends the sampled
 * prompt to the reference too and compares the answers. Runs after recording, never on the hot path.
 */
export const ReferenceSettings = z.object({
  baseUrl: z.url(),
  model: z.string().min(1),
  /** Environment variable holding the reference's key; omitted = no key sent. */
  apiKeyEnv: z.string().min(1).optional(),
  mode: z.enum(['logprobs', 'paired']).default('logprobs'),
  /** Share of exchanges sampled, by hash of the event id; per route unless `routes` overrides it. */
  sampleRate: z.number().min(0).max(1).default(0.01),
  routes: z.record(z.string(), z.object({ sampleRate: z.number().min(0).max(1) })).default({}),
  /** Only exchanges of these models are compared (empty: every model). */
  models: z.array(z.string().min(1)).default([]),
  maxPerMinute: z.number().int().positive().default(60),
  maxUsdPerDay: z.number().nonnegative().default(5),
  /** Where the policy's logprobs are read (logprobs mode); default: the exchange's own upstream. */
  policy: z
    .object({
      baseUrl: z.url(),
      model: z.string().min(1).optional(),
      apiKeyEnv: z.string().min(1).optional(),
    })
    .optional(),
  /** The training KL budget per response, in nats: drawn on the Leash panel, used by the alert template. */
  klBudget: z.number().positive().optional(),
  timeoutMs: z.number().int().positive().default(30_000),
})
export type ReferenceSettings = z.infer<typeof ReferenceSettings>

export const ProjectSettings = z.object({
  /** Raw rows older than this are dropped by ClickHouse's TTL. */
  retentionDays: z.number().int().min(1).max(3650).default(90),
  redaction: z
    .object({
      enabled: z.boolean().default(false),
      kinds: z.array(RedactionKind).default(['email', 'phone', 'card', 'api_key']),
    })
    .default({ enabled: false, kinds: ['email', 'phone', 'card', 'api_key'] }),
  /** Routes tried in order; a model no route matches goes to the default upstream. */
  routes: z.array(RouteSettings).default([]),
  /** Per-model price overrides on top of the repo's price table. */
  prices: z.record(z.string(), ModelPrice).default({}),
  scoring: z
    .object({
      reward: RewardModelRef.default({ kind: 'builtin' }),
      /** A second reward model run in shadow, written as `reward_shadow`. */
      shadowReward: RewardModelRef.nullable().default(null),
      /**
       * An LLM judge (any OpenAI-compatible endpoint), run off the hot path on a sampled share; its verdicts
       * are scores `judge:<model>` named `judge_refusal`, `judge_prompt_harmful`, `judge_helpfulness`.
       */
      judge: z
        .object({
          baseUrl: z.url(),
          model: z.string().min(1),
          /** Name of the environment variable that holds the judge's API key. */
          apiKeyEnv: z.string().optional(),
          sampleRate: z.number().min(0).max(1).default(0.05),
          maxPerMinute: z.number().int().min(1).default(30),
          maxUsdPerDay: z.number().min(0).default(1),
          metrics: z
            .array(z.enum(['refusal', 'prompt_harmful', 'helpfulness']))
            .min(1)
            .default(['refusal']),
          timeoutMs: z.number().int().min(100).max(120_000).optional(),
        })
        .optional(),
    })
    .default({ reward: { kind: 'builtin' }, shadowReward: null }),
  /** The reference model this project's traffic is compared with; absent = none. */
  reference: ReferenceSettings.optional(),
})
export type ProjectSettings = z.infer<typeof ProjectSettings>
export type ProjectSettingsInput = z.input<typeof ProjectSettings>
