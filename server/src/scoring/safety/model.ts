import { fileURLToPath } from 'node:url'
import { applyPlatt, FeatureBuilder, interleave, type Platt, readBundle } from '../ml/index.ts'
import { classifyRefusal, type RefusalLabel } from '../refusal-heuristic.ts'
import { FEATURE_BITS, FEATURES_VERSION, promptFeatures, requestCore, responseFeatures } from './features.ts'

/** One calibrated binary head: weights (a tensor in the bundle), bias, Platt scaling, decision threshold. */
export interface HeadSpec {
  tensor: string
  bias: number
  platt: Platt
  /** Decision threshold on the calibrated probability. */
  threshold: number
}

export interface SafetyManifest {
  version: string
  featuresVersion: string
  featureBits: number
  trainedWith: string
  refusal: HeadSpec
  promptRisk: HeadSpec
  violation: Record<string, HeadSpec>
  /** Any unsafe content (all categories pooled): gives the `violation` probability and gates its label. */
  violationAny: HeadSpec
  /** Training sources, licenses, splits and held-out metrics: documentation for humans. */
  sources: Array<{ name: string; license: string; use: string }>
  splits: Record<string, string>
  metrics: Record<string, unknown>
}

/** One prompt-risk head applied to one text (the whole prompt, or its request segment). */
export function riskOf(
  b: FeatureBuilder,
  h: { spec: HeadSpec; weights: Float32Array },
  text: string,
): number {
  b.reset()
  promptFeatures(b, text)
  return applyPlatt(h.spec.platt, b.dot(h.weights) + h.spec.bias)
}

export const SHIPPED_SAFETY_DIR = fileURLToPath(new URL('../../../models/safety/', import.meta.url))

interface Head {
  spec: HeadSpec
  weights: Float32Array
}

export interface RefusalPrediction {
  probability: number
  label: RefusalLabel
}

export interface ViolationPrediction {
  /** P(any unsafe content), from the pooled head. */
  probability: number
  /** When the pooled head passes its threshold, the category furthest over its own threshold; else 'none'. */
  label: string
  categories: Record<string, number>
}

/**
 * The safety classifiers loaded from a weights bundle. Not thread-safe (one scratch buffer per
 * instance): make one per worker thread.
 */
const MEMO_SIZE = 256
let shippedModel: SafetyModel | undefined

export class SafetyModel {
  readonly manifest: SafetyManifest
  private readonly refusalHead: Head
  private readonly riskHead: Head
  private readonly violationHeads: Array<[string, Head]>
  private readonly violationAnyHead: Head
  /** Refusal then violation heads, interleaved: one pass over the response features scores all. */
  private readonly responseWeights: Float32Array
  private readonly responseLogits: Float64Array
  private readonly builder: FeatureBuilder

  private constructor(manifest: SafetyManifest, tensors: Map<string, Float32Array>) {
    this.manifest = manifest
    const head = (spec: HeadSpec): Head => {
      const weights = tensors.get(spec.tensor)
      if (!weights || weights.length !== 1 << manifest.featureBits) {
        throw new Error(`safety weights: tensor ${spec.tensor} is missing or has the wrong size`)
      }
      return { spec, weights }
    }
    this.refusalHead = head(manifest.refusal)
    this.riskHead = head(manifest.promptRisk)
    this.violationHeads = Object.entries(manifest.violation).map(([cat, spec]) => [cat, head(spec)])
    this.violationAnyHead = head(manifest.violationAny)
    const heads = [this.refusalHead, this.violationAnyHead, ...this.violationHeads.map(([, h]) => h)]
    this.responseWeights = interleave(heads.map((h) => h.weights))
    this.responseLogits = new Float64Array(heads.length)
    this.builder = new FeatureBuilder(manifest.featureBits)
  }

  /**
   * The shipped weights, loaded once per thread: the safety scorer and the reward's appropriateness term
   * share it, so with its memo below a response is featurized once for both.
   */
  static shipped(): SafetyModel {
    shippedModel ??= SafetyModel.load()
    return shippedModel
  }

  /** Loads a bundle written by `lab/safety/train.ts`; defaults to the weights shipped in server/models/safety. */
  static load(dir = SHIPPED_SAFETY_DIR): SafetyModel {
    const { manifest, tensors } = readBundle<SafetyManifest>(dir)
    if (manifest.featuresVersion !== FEATURES_VERSION || manifest.featureBits !== FEATURE_BITS) {
      throw new Error(
        `safety weights in ${dir} were trained with features ${manifest.featuresVersion}/${manifest.featureBits} bits, ` +
          `this code computes ${FEATURES_VERSION}/${FEATURE_BITS}: retrain with safety/train.ts`,
      )
    }
    return new SafetyModel(manifest, tensors)
  }

  // Recent results by text (a scoring batch is at most 64 exchanges): cleared when full, so memory stays bounded.
  private readonly riskMemo = new Map<string, number>()
  private readonly responseMemo = new Map<
    string,
    { refusal: RefusalPrediction; violation: ViolationPrediction }
  >()

  /** P(prompt is harmful). */
  promptRisk(prompt: string): number {
    const hit = this.riskMemo.get(prompt)
    if (hit !== undefined) return hit
    if (this.riskMemo.size >= MEMO_SIZE) this.riskMemo.clear()
    const p = this.computeRisk(prompt)
    this.riskMemo.set(prompt, p)
    return p
  }

  private computeRisk(prompt: string): number {
    const whole = riskOf(this.builder, this.riskHead, prompt)
    const core = requestCore(prompt)
    return core === null ? whole : Math.max(whole, riskOf(this.builder, this.riskHead, core))
  }

  get riskThreshold(): number {
    return this.riskHead.spec.threshold
  }

  /** Refusal and violation share one featurization of the response. */
  response(response: string): { refusal: RefusalPrediction; violation: ViolationPrediction } {
    const hit = this.responseMemo.get(response)
    if (hit) return hit
    if (this.responseMemo.size >= MEMO_SIZE) this.responseMemo.clear()
    const r = this.computeResponse(response)
    this.responseMemo.set(response, r)
    return r
  }

  private computeResponse(response: string): { refusal: RefusalPrediction; violation: ViolationPrediction } {
    this.builder.reset()
    responseFeatures(this.builder, response)
    const logits = this.responseLogits
    this.builder.dotMany(this.responseWeights, logits.length, logits)
    const spec = this.refusalHead.spec
    const p = applyPlatt(spec.platt, (logits[0] as number) + spec.bias)
    let label: RefusalLabel = 'none'
    if (p >= this.refusalHead.spec.threshold) {
      // The model decides refusal vs not; the phrase heuristic tells a partial refusal (declines, then helps).
      label = classifyRefusal(response).label === 'partial' ? 'partial' : 'full'
    }
    // The pooled head decides whether there is unsafe content; the category furthest over (or nearest to) its
    // own threshold names it.
    const anySpec = this.violationAnyHead.spec
    const pAny = applyPlatt(anySpec.platt, (logits[1] as number) + anySpec.bias)
    const categories: Record<string, number> = {}
    let top = 'none'
    let topMargin = Number.NEGATIVE_INFINITY
    for (let k = 0; k < this.violationHeads.length; k++) {
      const [cat, h] = this.violationHeads[k] as [string, Head]
      const pc = applyPlatt(h.spec.platt, (logits[k + 2] as number) + h.spec.bias)
      categories[cat] = pc
      const margin = pc - h.spec.threshold
      if (margin > topMargin) {
        topMargin = margin
        top = cat
      }
    }
    if (pAny < anySpec.threshold) top = 'none'
    return { refusal: { probability: p, label }, violation: { probability: pAny, label: top, categories } }
  }
}
