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

/** The built-in reward model's scorer (see reward/index.ts). */
export const BUILTIN_REWARD: BuiltinScorerName = 'reward-builtin'

/** The built-in scorers a project runs: all of them, and the built-in reward model when it chose it. */
export function builtinNamesFor(scoring: ProjectSettings['scoring']): BuiltinScorerName[] {
  const names: BuiltinScorerName[] = [...BUILTIN_SCORER_NAMES]
  if (scoring.reward.kind === 'builtin') names.push(BUILTIN_REWARD)
  return names
}

/**
 * The project's ONNX or remote reward model and its optional shadow, for the main thread, pushed onto
 * `out` as each loads (so a failing shadow leaves the reward model there for the caller).
 */
export async function mainThreadScorers(
  scoring: ProjectSettings['scoring'],
  out: Scorer[] = [],
): Promise<Scorer[]> {
  const { reward, shadowReward } = scoring
  if (reward.kind === 'builtin' && !shadowReward) return out
  const { createRewardScorer } = await rewardModule()
  if (reward.kind !== 'builtin') out.push(await createRewardScorer(reward))
  if (shadowReward) out.push(await createRewardScorer(shadowReward, { shadow: true }))
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

/** Built-in scorers in a worker pool, or on this thread when `pool` is false. */
export async function loadBuiltins(
  names: BuiltinScorerName[],
  opts: ScorerSetOptions = {},
): Promise<ScorerSet> {
  if (opts.pool === false) return { scorers: await builtinScorers(names), close: async () => {} }
  const pool = await ScorerPool.create({ ...opts.pool, scorers: names, log: opts.log })
  return { scorers: pool.scorers, close: () => pool.close() }
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
  const closers: (() => Promise<void>)[] = []
  try {
    const mainThread = await mainThreadScorers(settings.scoring)
    for (const s of mainThread) if (s.close) closers.push(() => (s.close as () => Promise<void>)())
    const builtins = await loadBuiltins(builtinNamesFor(settings.scoring), opts)
    closers.push(builtins.close)
    return {
      scorers: [...builtins.scorers, ...mainThread],
      close: async () => {
        await Promise.allSettled(closers.map((c) => c()))
      },
    }
  } catch (err) {
    await Promise.allSettled(closers.map((c) => c()))
    throw err
  }
}
