import type { ExchangeRecord } from '../exchange/record.ts'
import { SCORE, type ScoreRow } from '../scoring/scorer.ts'
import { Rng } from './hash.ts'
import type { DemoScenario } from './scenario.ts'

/**
 * Scenario replay without a network or a clock: realistic exchanges and their scores, minute by minute,
 * with the behaviour shift switched on between shiftAtMinute and recoverAtMinute. Tests insert these
 * into ClickHouse and run the alert evaluator over simulated time.
 */
export interface ScenarioGenInput {
  /** 'control' = the unchanged run. */
  scenario: DemoScenario | 'control'
  /** Epoch ms of the first minute. */
  start: number
  minutes: number
  ratePerMinute: number
  shiftAtMinute: number
  /** Minute from which behaviour is normal again; default never. */
  recoverAtMinute?: number
  seed: number
  projectId?: string
  /** Models to spread traffic over (round robin); default ['leash-demo-mini']. */
  models?: string[]
  route?: string
}

/** A score row with its exchange's slicing dimensions, as the ingest pipeline writes it (scores_v1, migration 010). */
export type ScenarioScoreRow = ScoreRow & {
  model: string
  route: string
  feature: string
  policyVersion: string
  upstream: string
}

export interface ScenarioRun {
  exchanges: ExchangeRecord[]
  scores: ScenarioScoreRow[]
}

/** The metric each scenario is built to move, and which way; alert tests key their rules on these. */
export const SCENARIO_SIGNATURE: Record<
  DemoScenario,
  { metric: string; direction: 'up' | 'down'; alsoMoves: string[] }
> = {
  'over-refusal': { metric: 'false_refusal_rate', direction: 'up', alsoMoves: ['refusal_rate'] },
  'verbosity-hack': {
    metric: 'completion_tokens_mean',
    direction: 'up',
    alsoMoves: ['reward_length_correlation', 'reward_mean', 'distinct_2_mean'],
  },
  'citation-decay': {
    metric: 'citation_support_rate',
    direction: 'down',
    alsoMoves: ['citation_coverage_mean', 'unsupported_claim_rate'],
  },
  'cost-spike': { metric: 'cost_per_request', direction: 'up', alsoMoves: ['prompt_tokens'] },
  'latency-regression': { metric: 'latency_p95', direction: 'up', alsoMoves: ['latency_p50', 'ttft_p95'] },
}

const SCORER = 'demo-scenario'
const VERSION = '1'
// USD per million tokens, like a small hosted model.
const PRICE = { input: 0.15, output: 0.6 }

function normal(rng: Rng): number {
  const u = Math.max(1e-12, rng.next())
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v))

function eventId(time: number, rng: Rng): string {
  const hex = (n: number, width: number) => Math.floor(n).toString(16).padStart(width, '0').slice(-width)
  const ts = hex(time, 12)
  const rand = () => hex(rng.next() * 0x10000, 4)
  const variant = (8 + rng.int(0, 3)).toString(16)
  return `${ts.slice(0, 8)}-${ts.slice(8)}-7${rand().slice(1)}-${variant}${rand().slice(1)}-${rand()}${rand()}${rand()}`
}

type Kind = 'everyday' | 'harmful' | 'retrieval' | 'tool'

const ANSWERS = [
  'Here is a clear answer with the steps you need.',
  'Sure. The short version is below, followed by the details.',
  'Good question. There are three things to consider here.',
  'The main idea is simple, and the example below shows it.',
]
const REFUSALS = [
  "I'm sorry, but I can't help with that.",
  "I can't assist with that request.",
  'I must decline to provide that information.',
]
const PADDING = ' To put it another way, the key point above is worth repeating in slightly different words.'

interface Draft {
  kind: Kind
  refused: boolean
  full: boolean
  risk: number
  completionTokens: number
  promptTokens: number
}

function draft(rng: Rng, active: DemoScenario | null): Draft {
  const r = rng.next()
  const kind: Kind = r < 0.12 ? 'harmful' : r < 0.42 ? 'retrieval' : r < 0.52 ? 'tool' : 'everyday'
  const harmful = kind === 'harmful'
  const risk = harmful ? 0.85 + 0.14 * rng.next() : 0.02 + 0.18 * rng.next()
  const refuseP = harmful ? 0.9 : active === 'over-refusal' ? 0.3 : 0.04
  const refused = rng.chance(refuseP)
  const base = refused ? 30 + rng.int(0, 30) : Math.round(120 * Math.exp(0.45 * normal(rng))) + 60
  const completionTokens = active === 'verbosity-hack' && !refused ? Math.round(base * 2.6) : base
  const prompt = 150 + rng.int(0, 450) + (kind === 'retrieval' ? 400 : 0)
  return {
    kind,
    refused,
    full: rng.chance(0.8),
    risk,
    completionTokens,
    promptTokens: active === 'cost-spike' ? prompt * 6 : prompt,
  }
}

function scoresFor(d: Draft, rng: Rng, active: DemoScenario | null): Array<[string, number, string]> {
  const refusal = d.refused ? 0.85 + 0.14 * rng.next() : 0.01 + 0.09 * rng.next()
  const falseRefusal = refusal * (1 - d.risk)
  const out: Array<[string, number, string]> = [
    [SCORE.refusal, refusal, d.refused ? (d.full ? 'full' : 'partial') : 'none'],
    [SCORE.promptRisk, d.risk, d.risk >= 0.5 ? 'harmful' : 'benign'],
    [SCORE.falseRefusal, falseRefusal, falseRefusal >= 0.5 ? 'yes' : 'no'],
    [
      SCORE.violation,
      d.kind === 'harmful' && !d.refused && rng.chance(0.5) ? 0.7 + 0.25 * rng.next() : 0.02 * rng.next(),
      '',
    ],
    [SCORE.lengthTokens, d.completionTokens, ''],
    [SCORE.hedges, rng.chance(0.1) ? 1 : 0, ''],
    [SCORE.apologies, rng.chance(d.refused ? 0.6 : 0.05) ? 1 : 0, ''],
    [SCORE.sycophancy, rng.chance(0.03) ? 1 : 0, ''],
    [SCORE.distinct2, clamp01((active === 'verbosity-hack' ? 0.66 : 0.86) + 0.04 * normal(rng)), ''],
  ]
  // The reward model likes length a little; under the verbosity hack it is length that buys reward.
  const lengthTerm = Math.log(d.completionTokens / 200) * (active === 'verbosity-hack' ? 0.9 : 0.08)
  const reward = 0.4 + (d.refused && d.risk < 0.5 ? -0.6 : 0) + lengthTerm + 0.25 * normal(rng)
  out.push([SCORE.reward, reward, ''])
  if (d.kind === 'retrieval' && !d.refused) {
    const decay = active === 'citation-decay'
    out.push([SCORE.citationCoverage, clamp01((decay ? 0.4 : 0.86) + 0.1 * normal(rng)), ''])
    out.push([SCORE.citationSupport, clamp01((decay ? 0.45 : 0.9) + 0.08 * normal(rng)), ''])
    out.push([SCORE.unsupportedClaims, clamp01((decay ? 0.4 : 0.05) + 0.05 * normal(rng)), ''])
  }
  if (d.kind === 'tool' && !d.refused) out.push([SCORE.toolCallValid, rng.chance(0.95) ? 1 : 0, ''])
  return out
}

export function generateScenarioExchanges(input: ScenarioGenInput): ScenarioRun {
  const rng = new Rng(input.seed)
  const projectId = input.projectId ?? 'demo-project'
  const models = input.models?.length ? input.models : ['leash-demo-mini']
  const route = input.route ?? 'chat'
  const exchanges: ExchangeRecord[] = []
  const scores: ScenarioScoreRow[] = []
  let seq = 0
  for (let m = 0; m < input.minutes; m++) {
    const on =
      input.scenario !== 'control' &&
      m >= input.shiftAtMinute &&
      (input.recoverAtMinute === undefined || m < input.recoverAtMinute)
    const active = on ? (input.scenario as DemoScenario) : null
    for (let j = 0; j < input.ratePerMinute; j++) {
      const time = input.start + m * 60_000 + Math.floor(((j + rng.next()) * 60_000) / input.ratePerMinute)
      const d = draft(rng, active)
      const slow = active === 'latency-regression' ? 3 : 1
      const ttft = Math.round((150 + 350 * rng.next()) * slow)
      const latency = Math.round(ttft + d.completionTokens * (8 + 12 * rng.next()) * slow)
      const failed = rng.chance(0.005)
      const id = eventId(time, rng)
      const model = models[seq++ % models.length] as string
      const text = d.refused
        ? rng.pick(REFUSALS)
        : `${rng.pick(ANSWERS)}${active === 'verbosity-hack' ? PADDING.repeat(6) : ''}`
      exchanges.push({
        eventId: id,
        projectId,
        time,
        endpoint: 'chat.completions',
        route,
        upstream: 'demo',
        model,
        stream: rng.chance(0.4),
        status: failed ? 502 : 200,
        outcome: failed ? 'upstream_error' : 'ok',
        latencyMs: latency,
        ttftMs: failed ? null : ttft,
        usage: failed
          ? null
          : { promptTokens: d.promptTokens, completionTokens: d.completionTokens, cachedTokens: 0 },
        usageFromUpstream: !failed,
        costUsd: failed ? 0 : (d.promptTokens * PRICE.input + d.completionTokens * PRICE.output) / 1e6,
        request: [{ role: 'user', content: `${d.kind} prompt ${seq}` }],
        prompt: `${d.kind} prompt ${seq}`,
        responseText: failed ? '' : text,
        tools: [],
        toolCalls: [],
        finishReason: failed ? '' : 'stop',
        tags: {
          user: `demo-user-${rng.int(1, 40)}`,
          session: `demo-sess-${rng.int(1, 400)}`,
          feature: d.kind,
          policyVersion: '2025-05-a',
          extra: {},
        },
        sources: [],
        errorMessage: failed ? 'upstream returned 502' : '',
      })
      if (failed) continue
      for (const [name, value, label] of scoresFor(d, rng, active))
        scores.push({
          eventId: id,
          projectId,
          time,
          scorer: SCORER,
          scorerVersion: VERSION,
          name,
          value,
          label,
          model,
          route,
          feature: d.kind,
          policyVersion: '2025-05-a',
          upstream: 'demo',
        })
    }
  }
  return { exchanges, scores }
}
