import path from 'node:path'
import type { RewardModelRef } from '@leash/shared'
import type { Scorer } from '../scorer.ts'
import { createBuiltinRewardScorer } from './builtin.ts'
import { createRemoteRewardScorer } from './remote.ts'

export { BUILTIN_MODEL_DIR, builtinScorer, createBuiltinRewardScorer } from './builtin.ts'
export { loadModel, RewardModelError } from './model.ts'
export { createRemoteRewardScorer, RemoteScorerError, VERSION_HEADER } from './remote.ts'

export interface RewardScorerOptions {
  /** Write `reward_shadow` instead of `reward`. */
  shadow?: boolean
  /** Folder of the built-in weights (default: the repository's `server/models/reward/`). */
  modelsDir?: string
  /** Base folder for relative ONNX paths (default: the working directory). */
  baseDir?: string
}

/**
 * One entry point for the three reward backends a project can choose (settings `scoring.reward` /
 * `scoring.shadowReward`). Scorer names: `reward-builtin`, `reward-onnx:<model folder>`, `reward-remote:<host>`.
 */
export async function createRewardScorer(
  ref: RewardModelRef,
  opts: RewardScorerOptions = {},
): Promise<Scorer> {
  switch (ref.kind) {
    case 'builtin':
      return createBuiltinRewardScorer({ shadow: opts.shadow, modelsDir: opts.modelsDir })
    case 'onnx': {
      // Loaded on demand: the native onnxruntime binding is only needed by projects that use ONNX.
      const { createOnnxRewardScorer } = await import('./onnx.ts')
      return createOnnxRewardScorer(path.resolve(opts.baseDir ?? process.cwd(), ref.path), {
        shadow: opts.shadow,
        input: ref.input,
      })
    }
    case 'remote':
      return createRemoteRewardScorer({ url: ref.url, timeoutMs: ref.timeoutMs, shadow: opts.shadow })
  }
}
