import { eq } from 'drizzle-orm'
import { alertRules } from '../db/postgres/index.ts'
import { deliverDue, type NotifyConfig } from '../notify/queue.ts'
import { type EvaluatorDeps, evaluateRule } from './evaluator.ts'
import { createLeaderLock } from './lock.ts'
import { toRuleConfig } from './rule-config.ts'

export interface AlertScheduler {
  /** Runs one tick now (tests, or a manual trigger); resolves when done. */
  tick(): Promise<void>
  stop(): Promise<void>
}

/**
 * The evaluator loop: every `tickMs`, if this replica holds the advisory lock, evaluates the rules
 * whose interval has elapsed and sends due notifications. Delivery runs on its own timer so a slow
 * channel never delays evaluation.
 */
export function startAlertScheduler(
  deps: EvaluatorDeps & {
    notify: Omit<NotifyConfig, 'publicUrl'>
    now?: () => number
    tickMs?: number
    /** Why evaluation must wait (its store is unreachable), or null; checked every tick. */
    paused?: () => string | null
  },
): AlertScheduler {
  const now = deps.now ?? Date.now
  const lock = createLeaderLock(deps.db)
  const lastRun = new Map<string, number>()
  let stopped = false
  let running: Promise<void> | null = null
  let delivering: Promise<unknown> | null = null

  async function evaluateDue(): Promise<void> {
    if (!(await lock.acquire())) return
    const rows = await deps.db.select().from(alertRules).where(eq(alertRules.enabled, true))
    for (const row of rows) {
      if (stopped) return
      const rule = toRuleConfig(row)
      const t = now()
      if (t - (lastRun.get(rule.id) ?? 0) < rule.intervalMs) continue
      lastRun.set(rule.id, t)
      try {
        await evaluateRule(deps, rule, t)
      } catch (err) {
        deps.log('error', 'alert evaluation failed', { ruleId: rule.id, error: String(err) })
      }
    }
  }

  let pausedFor: string | null = null
  function tick(): Promise<void> {
    const why = deps.paused?.() ?? null
    if (why !== pausedFor) {
      if (why) deps.log('error', `alert evaluation PAUSED: ${why}; no rule is evaluated until it is back`)
      else deps.log('info', 'alert evaluation resumed')
      pausedFor = why
    }
    if (why) return Promise.resolve()
    if (!running) {
      running = evaluateDue()
        .catch((err) => deps.log('error', 'alert scheduler tick failed', { error: String(err) }))
        .finally(() => {
          running = null
        })
    }
    if (!delivering && lock.held) {
      delivering = deliverDue(
        { ...deps.notify, publicUrl: deps.config.publicUrl, db: deps.db, log: deps.log },
        now(),
      )
        .catch((err) => deps.log('error', 'notification delivery failed', { error: String(err) }))
        .finally(() => {
          delivering = null
        })
    }
    return running
  }

  const timer = setInterval(() => void tick(), deps.tickMs ?? 5_000)
  timer.unref()
  return {
    tick,
    async stop() {
      stopped = true
      clearInterval(timer)
      await Promise.allSettled([running, delivering])
      await lock.release()
    },
  }
}
