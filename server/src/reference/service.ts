import type { ClickHouseClient } from '@clickhouse/client'
import type { LeashView, ProjectSettings } from '@leash/shared'
import { bootstrap, mean, signTest, windowStats } from './estimators.ts'
import type { ReferenceCounters } from './runner.ts'
import { listReferenceRows, type ReferenceListRow, referenceModels } from './store.ts'

const DAY_MS = 86_400_000

export interface LeashInput {
  projectId: string
  model?: string
  fromMs?: number
  toMs?: number
  stepMinutes?: number
}

export interface LeashCtx {
  ch: ClickHouseClient
  settings?: Pick<ProjectSettings, 'reference'>
  counters?: ReferenceCounters | null
}

function topTokens(rows: readonly ReferenceListRow[]): LeashView['topTokens'] {
  const by = new Map<string, { count: number; sum: number }>()
  for (const r of rows) {
    if (!r.max_token) continue
    const t = by.get(r.max_token) ?? { count: 0, sum: 0 }
    t.count++
    t.sum += r.max_term
    by.set(r.max_token, t)
  }
  return [...by.entries()]
    .map(([token, t]) => ({ token, count: t.count, meanTerm: t.sum / t.count }))
    .sort((a, b) => b.meanTerm * b.count - a.meanTerm * a.count)
    .slice(0, 15)
}

/** Everything the Leash panel shows for one model (or all) over a window. */
export async function leashView({ ctx, input }: { ctx: LeashCtx; input: LeashInput }): Promise<LeashView> {
  const toMs = input.toMs ?? Date.now()
  const fromMs = input.fromMs ?? toMs - 7 * DAY_MS
  const window = { projectId: input.projectId, fromMs, toMs }
  const models = await referenceModels(ctx.ch)(window)
  const model = input.model ?? models[0]?.model
  const rows = model ? await listReferenceRows(ctx.ch)({ ...window, model }) : []
  const logprobs = rows.filter((r) => r.mode === 'logprobs')
  const paired = rows.filter((r) => r.mode === 'paired')
  const stepMs = (input.stepMinutes ?? Math.max(1, Math.ceil((toMs - fromMs) / 24 / 60_000))) * 60_000
  const buckets = new Map<number, { kl: number[]; refusal: number[] }>()
  for (const r of rows) {
    const t = Math.floor(Date.parse(r.at) / stepMs) * stepMs
    const b = buckets.get(t) ?? { kl: [], refusal: [] }
    if (r.mode === 'logprobs') b.kl.push(r.k3)
    else b.refusal.push(r.refusal_delta)
    buckets.set(t, b)
  }
  const ref = ctx.settings?.reference
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    model: model ?? null,
    models: models.map((m) => ({ model: m.model, referenceModel: m.reference_model, mode: m.mode, n: m.n })),
    reference: ref ? { model: ref.model, mode: ref.mode, klBudget: ref.klBudget ?? null } : null,
    counters: ctx.counters ?? null,
    kl: logprobs.length ? windowStats(logprobs.map((r) => r.k3)) : null,
    klK1: logprobs.length ? windowStats(logprobs.map((r) => r.k1)) : null,
    paired: paired.length
      ? {
          n: paired.length,
          rewardDelta: bootstrap(
            paired.map((r) => r.reward_delta),
            mean,
          ),
          refusalDelta: bootstrap(
            paired.map((r) => r.refusal_delta),
            mean,
          ),
          lengthRatio: bootstrap(
            paired.map((r) => r.length_ratio),
            mean,
          ),
          rewardSign: signTest(paired.map((r) => r.reward_delta)),
        }
      : null,
    series: [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, b]) => ({
        t: new Date(t).toISOString(),
        n: b.kl.length + b.refusal.length,
        kl: b.kl.length ? mean(b.kl) : null,
        refusalDelta: b.refusal.length ? mean(b.refusal) : null,
      })),
    topPrompts: [...logprobs]
      .sort((a, b) => b.k3 - a.k3)
      .slice(0, 10)
      .map((r) => ({
        eventId: r.event_id,
        prompt: r.prompt.slice(-500),
        kl: r.k3,
        maxToken: r.max_token,
        maxTerm: r.max_term,
      })),
    topTokens: topTokens(logprobs),
    pairs: paired.slice(0, 20).map((r) => ({
      eventId: r.event_id,
      time: r.at,
      prompt: r.prompt.slice(0, 2_000),
      policyText: r.policy_text.slice(0, 4_000),
      referenceText: r.reference_text.slice(0, 4_000),
      rewardDelta: r.reward_delta,
      refusalDelta: r.refusal_delta,
      lengthRatio: r.length_ratio,
    })),
  }
}
