import type { InstanceState } from '@leash/shared'
import { and, eq, inArray } from 'drizzle-orm'
import { alertInstances, alertRules, type Db } from '../db/postgres/index.ts'
import type { Logger } from '../log.ts'
import { enqueueNotice } from '../notify/queue.ts'
import { fingerprint } from './fingerprint.ts'
import { judge } from './judge.ts'
import { applyLifecycle, buildNotice, type LifecycleConfig } from './lifecycle.ts'
import { type InstanceSnapshot, initialSnapshot, type Outcome, transition } from './machine.ts'
import type { Observation } from './observation.ts'
import { type RuleConfig, toRuleConfig } from './rule-config.ts'
import type { MetricSource } from './source.ts'

export interface EvaluatorDeps {
  db: Db
  source: MetricSource
  log: Logger
  config: LifecycleConfig
}

export interface RuleResult {
  ruleId: string
  name: string
  instances: Array<{
    fingerprint: string
    labels: Record<string, string>
    state: InstanceState
    outcome: Outcome
  }>
  error: string | null
}

type InstanceRow = typeof alertInstances.$inferSelect

const snapshotOf = (r: InstanceRow): InstanceSnapshot => ({
  state: r.state as InstanceState,
  heldState: r.heldState as InstanceState | null,
  since: r.since.getTime(),
  badCount: r.badCount,
  goodCount: r.goodCount,
  flips: r.flips,
})

/**
 * Evaluates every enabled rule (or the given ones) as of `now`. A rule whose query fails moves its
 * instances to EvalError (logged and notified); it never stops the other rules.
 */
export async function evaluateOnce(
  deps: EvaluatorDeps,
  now: number,
  opts: { projectId?: string; ruleIds?: string[] } = {},
): Promise<RuleResult[]> {
  const conds = [eq(alertRules.enabled, true)]
  if (opts.projectId) conds.push(eq(alertRules.projectId, opts.projectId))
  if (opts.ruleIds) {
    if (opts.ruleIds.length === 0) return []
    conds.push(inArray(alertRules.id, opts.ruleIds))
  }
  const rows = await deps.db
    .select()
    .from(alertRules)
    .where(and(...conds))
  const results: RuleResult[] = []
  for (const row of rows) results.push(await evaluateRule(deps, toRuleConfig(row), now))
  return results
}

export async function evaluateRule(deps: EvaluatorDeps, rule: RuleConfig, now: number): Promise<RuleResult> {
  const existing = await deps.db.select().from(alertInstances).where(eq(alertInstances.ruleId, rule.id))
  const byFp = new Map(existing.map((r) => [r.fingerprint, r]))
  let observations: Observation[] = []
  let error: string | null = null
  try {
    observations = await judge(deps.source, rule, now)
  } catch (err) {
    error = (err as Error)?.message ?? String(err)
    deps.log('error', 'alert rule evaluation failed', { ruleId: rule.id, rule: rule.name, error })
  }
  const work = new Map<
    string,
    { labels: Record<string, string>; obs: Observation | null; outcome: Outcome }
  >()
  for (const o of observations)
    work.set(fingerprint(rule.id, o.labels), { labels: o.labels, obs: o, outcome: o.outcome })
  // Label sets seen before but absent now have no data: InsufficientData holds their state.
  for (const r of existing) {
    if (!work.has(r.fingerprint))
      work.set(r.fingerprint, { labels: r.labels, obs: null, outcome: 'insufficient' })
  }
  if (error) {
    for (const v of work.values()) v.outcome = 'error'
    if (work.size === 0) work.set(fingerprint(rule.id, {}), { labels: {}, obs: null, outcome: 'error' })
  }
  const result: RuleResult = { ruleId: rule.id, name: rule.name, instances: [], error }
  for (const [fp, w] of work) {
    const prev = byFp.get(fp)
    const t = transition(prev ? snapshotOf(prev) : initialSnapshot(now), w.outcome, now, rule)
    const values = {
      state: t.next.state,
      heldState: t.next.heldState,
      since: new Date(t.next.since),
      badCount: t.next.badCount,
      goodCount: t.next.goodCount,
      flips: t.next.flips,
      lastEvalAt: new Date(now),
      lastValue: w.obs?.value ?? null,
      lastEvidence: w.obs
        ? { summary: w.obs.summary, n: w.obs.n, lo: w.obs.lo, hi: w.obs.hi, outcome: w.outcome }
        : null,
      lastError: w.outcome === 'error' ? error : null,
    }
    await deps.db
      .insert(alertInstances)
      .values({ ruleId: rule.id, fingerprint: fp, labels: w.labels, ...values })
      .onConflictDoUpdate({ target: [alertInstances.ruleId, alertInstances.fingerprint], set: values })
    const inst = { fingerprint: fp, labels: w.labels }
    if (t.errored) {
      const notice = buildNotice(deps.config, rule, inst, 'eval_error', {
        from: t.from,
        to: 'EvalError',
        now,
        error: error ?? 'unknown error',
      })
      await enqueueNotice(deps.db, rule.channels, notice, now)
    }
    try {
      await applyLifecycle(deps, rule, inst, t, w.obs, now)
    } catch (err) {
      deps.log('error', 'alert lifecycle update failed', { ruleId: rule.id, error: String(err) })
    }
    result.instances.push({ fingerprint: fp, labels: w.labels, state: t.next.state, outcome: w.outcome })
  }
  return result
}
