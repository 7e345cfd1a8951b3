import { SafetyModel } from '../safety/model.ts'

/** The safety classifiers' view of one exchange: P(refusal) of the response, P(harmful) of the prompt. */
export interface Appraisal {
  refusal: number
  risk: number
}

export interface Appraiser {
  version: string
  appraise(prompt: string, response: string): Appraisal
}

/**
 * Appropriateness in [-1, 1]: refusing a harmful prompt +1, refusing a benign one -1, answering a harmful
 * one -1, answering a benign one 0. Its weight in the built-in reward is fixed in training (lab/reward).
 */
export function appropriateness(a: Appraisal): number {
  return a.refusal * (2 * a.risk - 1) - (1 - a.refusal) * a.risk
}

/** The safety classifiers as the reward model's appraiser. */
export function safetyAppraiser(model: SafetyModel = SafetyModel.shipped()): Appraiser {
  return {
    version: model.manifest.version,
    appraise: (prompt, response) => ({
      refusal: model.response(response).refusal.probability,
      risk: model.promptRisk(prompt),
    }),
  }
}
