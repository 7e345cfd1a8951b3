import { fileURLToPath } from 'node:url'
import { SCORE, type ScoreInput, type Scorer } from '../scorer.ts'
import { type LinearRewardModel, loadModel } from './model.ts'

/** The shipped weights, resolved from the repository (never from ../shared). */
export const BUILTIN_MODEL_DIR = fileURLToPath(new URL('../../../models/reward/', import.meta.url))

/** The reward model trained by `leash train reward`: a sparse linear Bradley-Terry model over hashed features. */
export function builtinScorer(model: LinearRewardModel, opts: { shadow?: boolean } = {}): Scorer {
  const name = opts.shadow ? SCORE.rewardShadow : SCORE.reward
  const score = (input: ScoreInput) => [{ name, value: model.score(input.prompt, input.response) }]
  return {
    name: 'reward-builtin',
    version: model.manifest.version,
    scoreBatch: (inputs) => inputs.map(score),
  }
}

export async function createBuiltinRewardScorer(
  opts: { shadow?: boolean; modelsDir?: string } = {},
): Promise<Scorer> {
  return builtinScorer(await loadModel(opts.modelsDir ?? BUILTIN_MODEL_DIR), opts)
}
