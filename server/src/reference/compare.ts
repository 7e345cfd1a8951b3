import type { ExchangeRecord } from '../exchange/record.ts'
import type { ScoreValue } from '../exchange/score.ts'
import type { ScoreInput } from '../exchange/scorer-input.ts'
import { SCORE, type Scorer, toScoreInput } from '../scoring/scorer.ts'
import { answer, type Endpoint, ReferenceCallError, scoreCompletion } from './client.ts'
import { responseKl } from './estimators.ts'
import type { ReferenceRow } from './store.ts'

/** Names of the reference scores in scores_v1 (scorer `reference:<model>`). */
export const REF = {
  kl: 'reference_kl',
  klK1: 'reference_kl_k1',
  klPerToken: 'reference_kl_per_token',
  klMaxTerm: 'reference_kl_max_term',
  rewardDelta: 'reference_reward_delta',
  refusalDelta: 'reference_refusal_delta',
  lengthRatio: 'reference_length_ratio',
  win: 'reference_win',
} as const

/** Judge hook (engineer 14's LLM judge plugs in here): 1 = policy better, 0.5 = tie, 0 = reference better. */
export type PairJudge = (input: {
  prompt: string
  policy: string
  reference: string
}) => Promise<number | null>

export class Dropped extends Error {
  constructor(
    readonly reason: 'tokenization' | 'unscorable',
    message: string,
  ) {
    super(message)
  }
}

export interface Comparison {
  scores: ScoreValue[]
  row: Omit<ReferenceRow, 'projectId' | 'eventId' | 'time' | 'model' | 'route' | 'retentionDays'>
  /** Tokens billed at each side, for the daily USD budget. */
  usage: Array<{ model: string; promptTokens: number; completionTokens: number }>
}

function contentText(c: unknown): string {
  if (typeof c === 'string') return c
  if (Array.isArray(c))
    return c.map((p) => (p && typeof p === 'object' && 'text' in p ? String(p.text) : '')).join('')
  return ''
}

/**
 * The text the policy saw, as one string both sides can score: a completions prompt as sent, a chat as
 * `role: content` lines ending in `assistant: ` (a stand-in for the model's chat template; decision 024).
 */
export function promptText(ex: ExchangeRecord): string {
  if (ex.endpoint === 'completions') return typeof ex.request === 'string' ? ex.request : ex.prompt
  if (Array.isArray(ex.request)) {
    const lines = ex.request.map((m) => {
      const msg = (m ?? {}) as { role?: unknown; content?: unknown }
      return `${String(msg.role ?? 'user')}: ${contentText(msg.content)}\n`
    })
    return `${lines.join('')}assistant: `
  }
  return `user: ${ex.prompt}\nassistant: `
}

/** Logprobs mode: the k1/k3 estimates of KL(policy || reference) on the recorded completion. */
export async function compareLogprobs(
  ex: ExchangeRecord,
  policy: Endpoint,
  reference: Endpoint,
): Promise<Comparison> {
  const prompt = promptText(ex)
  const completion = ex.responseText
  if (!completion) throw new Dropped('unscorable', 'empty completion')
  const [p, q] = await Promise.all([
    scoreCompletion(policy, prompt, completion),
    scoreCompletion(reference, prompt, completion),
  ])
  const same =
    p.allTokens.length === q.allTokens.length &&
    p.allTokens.every((t, i) => t === q.allTokens[i]) &&
    p.tokens.length === q.tokens.length
  if (!same)
    throw new Dropped(
      'tokenization',
      `policy and reference tokenize differently (${p.allTokens.length} vs ${q.allTokens.length} tokens)`,
    )
  if (p.tokens.length === 0) throw new Dropped('unscorable', 'no completion tokens')
  const kl = responseKl(p.logprobs, q.logprobs)
  const maxToken = p.tokens[kl.maxIndex] ?? ''
  const fullTokens = p.allTokens.length
  return {
    scores: [
      { name: REF.kl, value: kl.k3 },
      { name: REF.klK1, value: kl.k1 },
      { name: REF.klPerToken, value: kl.k3PerToken },
      { name: REF.klMaxTerm, value: kl.maxTerm, label: maxToken.slice(0, 64) },
    ],
    row: {
      referenceModel: reference.model,
      mode: 'logprobs',
      prompt,
      policyText: completion,
      referenceText: '',
      tokens: kl.tokens,
      k1: kl.k1,
      k3: kl.k3,
      maxToken,
      maxTerm: kl.maxTerm,
      rewardDelta: 0,
      refusalDelta: 0,
      lengthRatio: 1,
    },
    usage: [
      { model: policy.model, promptTokens: fullTokens, completionTokens: 1 },
      { model: reference.model, promptTokens: fullTokens, completionTokens: 1 },
    ],
  }
}

const REFUSED = new Set(['full', 'partial'])

function byName(values: readonly ScoreValue[]): Map<string, ScoreValue> {
  return new Map(values.map((v) => [v.name, v]))
}

/** Scores both answers with the same scorers from the registry (never copies of them). */
async function scoreBoth(
  scorers: readonly Scorer[],
  a: ScoreInput,
  b: ScoreInput,
): Promise<[Map<string, ScoreValue>, Map<string, ScoreValue>]> {
  const out: [ScoreValue[], ScoreValue[]] = [[], []]
  for (const s of scorers) {
    const r = await s.scoreBatch([a, b])
    out[0].push(...(r[0] ?? []))
    out[1].push(...(r[1] ?? []))
  }
  return [byName(out[0]), byName(out[1])]
}

/** Paired mode: the reference answers the same request; both answers are scored by the same scorers. */
export async function comparePaired(
  ex: ExchangeRecord,
  reference: Endpoint,
  scorers: readonly Scorer[],
  judge?: PairJudge,
): Promise<Comparison> {
  const chat = ex.endpoint === 'chat.completions' && Array.isArray(ex.request)
  const maxTokens = Math.min(4096, Math.max(256, 2 * (ex.usage?.completionTokens ?? 0)))
  const ref = await answer(reference, {
    ...(chat
      ? { messages: ex.request as unknown[] }
      : { prompt: typeof ex.request === 'string' ? ex.request : ex.prompt }),
    maxTokens,
  })
  const policyInput = toScoreInput(ex)
  const [p, r] = await scoreBoth(scorers, policyInput, { ...policyInput, response: ref.text })
  const scores: ScoreValue[] = []
  const delta = (name: string) => {
    const a = p.get(name)?.value
    const b = r.get(name)?.value
    return a !== undefined && b !== undefined ? a - b : null
  }
  const rewardDelta = delta(SCORE.reward)
  if (rewardDelta !== null) scores.push({ name: REF.rewardDelta, value: rewardDelta })
  const pr = p.get(SCORE.refusal)
  const rr = r.get(SCORE.refusal)
  let refusalDelta = 0
  if (pr && rr) {
    // Refused = labelled full or partial (as refusal_rate counts); the mean is a refusal-rate delta.
    refusalDelta = Number(REFUSED.has(pr.label ?? '')) - Number(REFUSED.has(rr.label ?? ''))
    scores.push({
      name: REF.refusalDelta,
      value: refusalDelta,
      label: `${pr.label ?? ''}/${rr.label ?? ''}`,
    })
  }
  const lp = p.get(SCORE.lengthTokens)?.value ?? 0
  const lr = r.get(SCORE.lengthTokens)?.value ?? 0
  const lengthRatio = (lp + 1) / (lr + 1)
  scores.push({ name: REF.lengthRatio, value: lengthRatio })
  for (const marker of [SCORE.hedges, SCORE.apologies, SCORE.sycophancy]) {
    const d = delta(marker)
    if (d !== null) scores.push({ name: `reference_${marker}_delta`, value: d })
  }
  if (judge) {
    try {
      const w = await judge({ prompt: ex.prompt, policy: ex.responseText, reference: ref.text })
      if (w !== null && Number.isFinite(w)) scores.push({ name: REF.win, value: w })
    } catch (err) {
      throw new ReferenceCallError(`judge: ${(err as Error).message}`, 'http')
    }
  }
  return {
    scores,
    row: {
      referenceModel: reference.model,
      mode: 'paired',
      prompt: ex.prompt,
      policyText: ex.responseText,
      referenceText: ref.text,
      tokens: 0,
      k1: 0,
      k3: 0,
      maxToken: '',
      maxTerm: 0,
      rewardDelta: rewardDelta ?? 0,
      refusalDelta,
      lengthRatio,
    },
    usage: [
      {
        model: reference.model,
        promptTokens: ref.usage?.promptTokens ?? 0,
        completionTokens: ref.usage?.completionTokens ?? 0,
      },
    ],
  }
}
