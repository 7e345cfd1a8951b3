import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { MANIFEST_FILE } from '../ml/bundle.ts'
import { SCORE, type ScoreInput, type Scorer } from '../scorer.ts'
import { type Appraiser, safetyAppraiser } from './appraiser.ts'
import { type LinearRewardModel, loadModel, type RewardManifest } from './model.ts'

/** The shipped weights, resolved from the repository (never from ../shared). */
export const BUILTIN_MODEL_DIR = fileURLToPath(new URL('../../../models/reward/', import.meta.url))

/**
 * The reward model trained by `leash train reward`: a sparse linear Bradley-Terry model over hashed features
 * plus, for the shipped model, a fixed-weight appropriateness term from the safety classifiers.
 */
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
  return builtinScorer(await loadBuiltinModel(opts.modelsDir), opts)
}

/** Loads a built-in-format model, with the shipped safety classifiers when it was trained on them. */
export async function loadBuiltinModel(
  dir = BUILTIN_MODEL_DIR,
  appraiser?: Appraiser,
): Promise<LinearRewardModel> {
  let needsSafety = false
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as RewardManifest
    needsSafety = manifest.appropriateness !== undefined
  } catch {
    // loadModel reports an unreadable folder with the file's name.
  }
  return loadModel(dir, needsSafety ? (appraiser ?? safetyAppraiser()) : undefined)
}
