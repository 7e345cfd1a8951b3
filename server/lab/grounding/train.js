import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  alignFeatures,
  FEATURE_NAMES,
  prepareClaim,
  prepareSource,
  useIdf,
} from '../../src/scoring/grounding/align.js'
import { HALU_FEATURES, haluFeatures } from '../../src/scoring/grounding/halu.js'
import { predict } from '../../src/scoring/grounding/model.js'
import { contentWords } from '../../src/scoring/grounding/text.js'
import { mulberry32 } from '../../src/scoring/ml/rng.js'
import { macroF1, rocAuc } from '../metrics.js'
import { fitDense } from '../optim.js'
import { saveGroundingModels } from './bundle.js'
import { inHeldOut, loadBegin, loadHaluEval, loadWice } from './data.js'
import { BEGIN_HELD_OUT_SHARE, HALU_HELD_OUT_SHARE, WICE_HELD_OUT_SHARE } from './splits.js'

/**
 * Trains the grounding models from public data and writes them to server/models/grounding/:
 * - idf.json: document frequencies from BEGIN's CC-BY knowledge snippets and responses;
 * - support.json: P(source supports claim) on BEGIN (WoW + CMU-DoG, CC-BY-4.0; 80% of knowledge
 *   snippets, augmented) plus the half of WiCE dev whose article titles hash into training (ODC-BY
 *   annotations; only 14 numeric weights are learned, no text is kept). The other WiCE half is eval only.
 * - support-begin.json: the same on BEGIN alone (card line: how short-snippet data transfers).
 * - halu.json: P(hallucination) of an answer without sources, on HaluEval (MIT) rows whose ID hashes
 *   into the training half; `leash eval` reports the other half.
 * Run: `npm run leash -- train grounding [--data DIR]`.
 */
function linear(name, fit, trainedOn) {
  return {
    name,
    version: '1',
    trainedOn,
    features: [...FEATURE_NAMES],
    weights: fit.w.map((v) => Math.round(v * 1e5) / 1e5),
    bias: Math.round(fit.b * 1e5) / 1e5,
    threshold: 0.5,
  }
}
function bestMacroThreshold(ps, ys) {
  let best = { t: 0.5, f1: -1 }
  for (let t = 0.05; t < 0.96; t += 0.01) {
    const f1 = macroF1(
      ps.map((p) => p >= t),
      ys,
      [true, false],
    )
    if (f1 > best.f1) best = { t: Math.round(t * 100) / 100, f1 }
  }
  return best
}
export function buildIdf(texts) {
  const df = {}
  let docs = 0
  for (const t of texts) {
    docs++
    for (const w of new Set(contentWords(t))) df[w] = (df[w] ?? 0) + 1
  }
  const kept = {}
  for (const [w, c] of Object.entries(df).sort((a, b) => b[1] - a[1])) if (c >= 2) kept[w] = c
  return { docs, df: kept }
}
/**
 * BEGIN pairs a short response with one knowledge sentence, but production sources (and WiCE) are whole
 * documents and claims often join several facts. So the training rows are augmented, label-preserving:
 * half the sources get 5-40 distractor snippets from other knowledge groups around the true one, and
 * composite rows join two responses (supported only when both are) with both snippets in one document.
 */
export function augmentBegin(rows, seed = 7) {
  const rand = mulberry32(seed)
  const pick = (xs) => xs[Math.floor(rand() * xs.length)]
  const snippets = [...new Set(rows.map((r) => r.source))]
  const doc = (truths, group) => {
    const n = 5 + Math.floor(rand() * 36)
    const parts = []
    for (let i = 0; i < n; i++) {
      const s = pick(snippets)
      if (s !== group) parts.push(s)
    }
    for (const t of truths) parts.splice(Math.floor(rand() * (parts.length + 1)), 0, t)
    return parts.join('\n')
  }
  const out = []
  for (const r of rows) {
    out.push(rand() < 0.5 ? r : { ...r, source: doc([r.source], r.source) })
    const other = pick(rows)
    if (other.group === r.group) continue
    out.push({
      group: r.group,
      claim: `${r.claim.trim().replace(/[.!?]*$/, '')}, and ${other.claim.trim()}`,
      source: doc([r.source, other.source], r.source),
      supported: r.supported && other.supported,
      label: 'composite',
    })
  }
  return out
}
export function supportFeatures(ex) {
  return alignFeatures(prepareClaim(ex.claim), prepareSource(ex.source))
}
export function trainGrounding(dataDir, outDir, log) {
  mkdirSync(outDir, { recursive: true })
  const begin = loadBegin(dataDir)
  const texts = new Set()
  for (const r of begin) {
    texts.add(r.source)
    texts.add(r.claim)
  }
  const idf = buildIdf(texts)
  writeFileSync(resolve(outDir, 'idf.json'), `${JSON.stringify(idf, null, 2)}\n`)
  useIdf(idf)
  log(`idf: ${idf.docs} documents, ${Object.keys(idf.df).length} words (df >= 2)`)
  const train = begin.filter((r) => !inHeldOut(r.group, BEGIN_HELD_OUT_SHARE))
  const dev = begin.filter((r) => inHeldOut(r.group, BEGIN_HELD_OUT_SHARE))
  const augmented = augmentBegin(train)
  const ax = augmented.map(supportFeatures)
  const ay = augmented.map((r) => r.supported)
  // BEGIN only: kept to show on the card how far short-snippet data transfers to whole documents.
  const beginFit = fitDense(ax, ay)
  const augDev = augmentBegin(dev, 11)
  const beginOnly = linear(
    'citation-support-begin',
    beginFit,
    `BEGIN wow+cmu (CC-BY-4.0), ${train.length} rows, augmented to ${augmented.length}`,
  )
  const devP = augDev.map((r) => predict(beginOnly, supportFeatures(r)))
  const devY = augDev.map((r) => r.supported)
  const th = bestMacroThreshold(devP, devY)
  const supportBegin = { ...beginOnly, threshold: th.t }
  log(`support (BEGIN only): BEGIN dev ${augDev.length} rows, macro-F1 ${th.f1.toFixed(3)} at ${th.t}`)
  // Shipped: BEGIN + WiCE's training half (split by article); the two sets weigh the same in the loss.
  const wice = loadWice(dataDir).filter((r) => !inHeldOut(r.group, WICE_HELD_OUT_SHARE, 'wice'))
  const wx = wice.map(supportFeatures)
  const wy = wice.map((r) => r.supported)
  const weights = [...ax.map(() => 1), ...wx.map(() => ax.length / Math.max(wx.length, 1))]
  const fit = fitDense([...ax, ...wx], [...ay, ...wy], 1e-3, 3000, 0.5, weights)
  const model = linear(
    'citation-support',
    fit,
    `BEGIN wow+cmu (CC-BY-4.0) ${augmented.length} augmented rows + WiCE dev training half by article (ODC-BY) ${wice.length} rows`,
  )
  const wth = bestMacroThreshold(
    wx.map((x) => predict(model, x)),
    wy,
  )
  const support = { ...model, threshold: wth.t }
  log(
    `support: WiCE training half ${wice.length} rows, macro-F1 ${wth.f1.toFixed(3)} at ${wth.t} (in-sample)`,
  )
  const halu = loadHaluEval(dataDir)
  const hTrain = halu.filter((r) => !inHeldOut(r.id, HALU_HELD_OUT_SHARE, 'halueval'))
  const hx = hTrain.map((r) => haluFeatures(r.query, r.response))
  const hy = hTrain.map((r) => r.hallucination)
  const hfit = fitDense(hx, hy, 1e-3, 4000, 0.5)
  const haluModel = {
    name: 'unsupported-claims-no-source',
    version: '1',
    trainedOn: `HaluEval general (MIT), ${hTrain.length} rows (IDs hashing into the training half)`,
    features: [...HALU_FEATURES],
    weights: hfit.w.map((v) => Math.round(v * 1e5) / 1e5),
    bias: Math.round(hfit.b * 1e5) / 1e5,
    threshold: 0.5,
  }
  saveGroundingModels(outDir, { support, 'support-begin': supportBegin, halu: haluModel })
  const trainAuc = rocAuc(
    hx.map((x) => predict(haluModel, x)),
    hy,
  )
  log(
    `halu: trained on ${hTrain.length} rows, training AUC ${trainAuc.toFixed(3)} (held-out figure: leash eval)`,
  )
}
