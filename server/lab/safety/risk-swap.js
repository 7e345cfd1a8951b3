import { FeatureBuilder } from '../../src/scoring/ml/hash.js'
import { FEATURE_BITS, requestCore } from '../../src/scoring/safety/features.js'
import { riskOf } from '../../src/scoring/safety/model.js'
import { pairedCi } from '../bootstrap.js'
import { precisionRecallF1 } from '../ml.js'
import { promptKeywordBaseline } from './baselines.js'
import { loadAdvbench, loadRefusalDirectionHarmless } from './data.js'
import { riskSplits, SEED } from './splits.js'
import { trainRiskHead } from './training.js'
import { EVAL_WRAPPERS, wrapAll } from './wrappers.js'

const f1 = (p, g) => precisionRecallF1(p, g).f1
/**
 * The reverse hold-out of the shipped prompt-risk split (`leash train risk-swap`; writes no weights): a
 * prompt-risk head trained WITH JailbreakBench and WITHOUT AdvBench (HarmBench stays out), evaluated on
 * AdvBench plus as many Alpaca prompts (eval only), plain and wrapped in the held-out wrapper styles.
 */
export function riskSwapCheck(dataDir, log) {
  const ps = riskSplits(dataDir, ['harmbench', 'advbench'])
  const head = trainRiskHead(ps, SEED, log)
  const b = new FeatureBuilder(FEATURE_BITS)
  const risk = (text) => {
    const core = requestCore(text)
    const whole = riskOf(b, head, text)
    return core === null ? whole : Math.max(whole, riskOf(b, head, core))
  }
  const adv = loadAdvbench(dataDir)
  const benign = loadRefusalDirectionHarmless(dataDir, 'test').slice(0, adv.length)
  const plain = [...adv, ...benign]
  for (const [name, rows] of [
    ['plain', plain],
    ['wrapped in held-out styles', wrapAll(plain, EVAL_WRAPPERS, 'eval')],
  ]) {
    const gold = rows.map((r) => r.harmful)
    const pred = rows.map((r) => risk(r.text) >= head.spec.threshold)
    const [lo, hi] = pairedCi(pred, gold, f1)
    const base = f1(
      rows.map((r) => promptKeywordBaseline(r.text)),
      gold,
    )
    log(
      `risk-swap: AdvBench ${adv.length} + Alpaca ${benign.length} (${name}): F1 ${f1(pred, gold).toFixed(3)} ` +
        `[95% CI ${lo.toFixed(3)}-${hi.toFixed(3)}], harm keyword list ${base.toFixed(3)}`,
    )
  }
}
