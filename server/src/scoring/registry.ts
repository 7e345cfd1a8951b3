import type { ProjectSettings } from '@leash/shared'
import type { Logger } from '../log.ts'
import type { Scorer } from './scorer.ts'
import {
  BUILTIN_SCORER_NAMES,
  type BuiltinScorerName,
  loadBuiltinScorerOrFailing,
} from './workers/catalog.ts'
import { ScorerPool, type ScorerPoolOptions } from './workers/pool.ts'

/**
 * Which scorers run on every exchange, and where:
 * - the built-in synchronous scorers (safety, grounding, tools, style, and the built-in reward model
 *   when the project uses it) run in a worker-thread pool, off the gateway's event loop;
 * - ONNX and remote reward models are asynchronous and stay on the main thread (onnxruntime has its
 *   own threads; remote calls only wait on sockets).
 */

/** Loaded lazily: the ONNX runtime and the weights load only when a project uses them. */
async function rewardModule(): Promise<typeof import('./reward/index.ts')> {
  try {
    return await import('./reward/index.ts')
  } catch (err) {
    throw new Error(`the reward model module could not be loaded: ${(err as Error).message}`)
  }
}

/**
 * The built-in scorers, loaded in this thread (tests, `leash score --workers 0`, small batches). One
 * that cannot load is kept as a scorer whose batches fail with the reason, as in the worker pool.
 */
export async function builtinScorers(
  names: readonly BuiltinScorerName[] = [...BUILTIN_SCORER_NAMES, 'reward-builtin'],
): Promise<Scorer[]> {
  return Promise.all(names.map(loadBuiltinScorerOrFailing))
}

/** The project's reward model and its optional shadow, as configured in its settings. */
export async function createProjectScorers(settings: Pick<ProjectSettings, 'scoring'>): Promise<Scorer[]> {
  const { createRewardScorer } = await rewardModule()
  const out = [await createRewardScorer(settings.scoring.reward)]
  if (settings.scoring.shadowReward)
    out.push(await createRewardScorer(settings.scoring.shadowReward, { shadow: true }))
  return out
}

export interface ScorerSet {
  scorers: Scorer[]
  /** Stops the worker threads and releases reward sessions. */
  close(): Promise<void>
}

export interface ScorerSetOptions {
  /** Worker pool options; `false` runs the built-in scorers on this thread (no workers). */
  pool?: ScorerPoolOptions | false
  log?: Logger
}

/**
 * Everything that scores a project's exchanges: the built-in set in worker threads (including the
 * built-in reward model when the project chose it, so it runs off the main thread too) plus any
 * ONNX / remote reward model and shadow on the main thread.
 */
export async function createScorerSet(
  settings: Pick<ProjectSettings, 'scoring'>,
  opts: ScorerSetOptions = {},
): Promise<ScorerSet> {
  const { reward, shadowReward } = settings.scoring
  const builtinNames: BuiltinScorerName[] = [...BUILTIN_SCORER_NAMES]
  if (reward.kind === 'builtin') builtinNames.push('reward-builtin')
  const mainThread: Scorer[] = []
  const closers: (() => Promise<void>)[] = []
  try {
    if (reward.kind !== 'builtin' || shadowReward) {
      const { createRewardScorer } = await rewardModule()
      if (reward.kind !== 'builtin') mainThread.push(await createRewardScorer(reward))
      if (shadowReward) mainThread.push(await createRewardScorer(shadowReward, { shadow: true }))
    }
    for (const s of mainThread) if (s.close) closers.push(() => (s.close as () => Promise<void>)())
    let builtins: Scorer[]
    if (opts.pool === false) {
      builtins = await builtinScorers(builtinNames)
    } else {
      const pool = await ScorerPool.create({ ...opts.pool, scorers: builtinNames, log: opts.log })
      closers.push(() => pool.close())
      builtins = pool.scorers
    }
    return {
      scorers: [...builtins, ...mainThread],
      close: async () => {
        await Promise.allSettled(closers.map((c) => c()))
      },
    }
  } catch (err) {
    await Promise.allSettled(closers.map((c) => c()))
    throw err
  }
}
