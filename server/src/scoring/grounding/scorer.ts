import { SCORE, type ScoreInput, type ScoreValue, syncScorer } from '../scorer.ts'
import { alignFeatures, type PreparedSource, prepareClaim, prepareSourceCached } from './align.ts'
import { CitationResolver, findCitations } from './citations.ts'
import { analyzeResponse, haluFeatures } from './halu.ts'
import { haluModel, predict, supportModel } from './model.ts'

export const GROUNDING_VERSION = '1'

/**
 * Without sources nothing can be checked, so a confident specific answer is only suspicious: its
 * unsupported_claims score is P(hallucination) from the no-source model times this weight, so it never
 * reaches the values of claims that a supplied source fails to support.
 */
export const NO_SOURCE_WEIGHT = 0.5

/**
 * Grounding scores of one response:
 * - with sources: citation_coverage (factual sentences citing a supplied source / factual sentences),
 *   citation_support (citing sentences whose cited sources support them / citing sentences),
 *   unsupported_claims (factual sentences no supplied source supports / factual sentences; 0 when the
 *   answer makes no checkable claim), citations_unresolved (markers naming no supplied source);
 * - without sources: unsupported_claims = NO_SOURCE_WEIGHT * P(hallucination), label `no_sources`.
 * `factual_sentences` is written in both cases.
 */
export function scoreGrounding(input: ScoreInput): ScoreValue[] {
  const analyzed = analyzeResponse(input.response)
  const factualCount = analyzed.claims.filter((c) => c.factual).length
  if (input.sources.length === 0) {
    if (input.response.trim() === '') return []
    const p = predict(haluModel(), haluFeatures(input.prompt, input.response, analyzed))
    return [
      { name: SCORE.unsupportedClaims, value: NO_SOURCE_WEIGHT * p, label: 'no_sources' },
      { name: 'factual_sentences', value: factualCount },
    ]
  }
  const model = supportModel()
  const resolver = new CitationResolver(input.sources)
  const prepared: (PreparedSource | undefined)[] = []
  const source = (i: number): PreparedSource => {
    let p = prepared[i]
    if (!p) {
      p = prepareSourceCached(input.sources[i]?.text ?? '')
      prepared[i] = p
    }
    return p
  }
  let factual = 0
  let citingFactual = 0
  let citing = 0
  let citingSupported = 0
  let unsupported = 0
  let unresolved = 0
  analyzed.sentences.forEach((s, si) => {
    if (s.kind === 'code' || s.kind === 'table') return
    const info = analyzed.claims[si]
    const cites = findCitations(s.text, resolver)
    unresolved += cites.unresolved
    const isFactual = info?.factual === true
    if (!isFactual && cites.cited.length === 0) return
    const t = s.text
    // Markers and URLs out (the replace is a no-op, and skipped, when the text has none).
    const claim = prepareClaim(
      t.includes('[') || t.includes('【') || t.includes('://')
        ? t.replace(/\[[^\]\n]{1,24}\]|【[^】\n]{1,24}】|https?:\/\/\S+/g, ' ')
        : t,
      analyzed.words[si] ?? undefined,
    )
    const memo = new Map<number, number>()
    const support = (i: number) => {
      let p = memo.get(i)
      if (p === undefined) {
        p = predict(model, alignFeatures(claim, source(i)))
        memo.set(i, p)
      }
      return p
    }
    if (cites.cited.length > 0) {
      citing++
      if (Math.max(...cites.cited.map(support)) >= model.threshold) citingSupported++
    }
    if (isFactual) {
      factual++
      if (cites.cited.length > 0) citingFactual++
      let best = 0
      for (let i = 0; i < input.sources.length && best < model.threshold; i++)
        best = Math.max(best, support(i))
      if (best < model.threshold) unsupported++
    }
  })
  const out: ScoreValue[] = [
    { name: SCORE.unsupportedClaims, value: factual > 0 ? unsupported / factual : 0, label: 'sources' },
    { name: 'factual_sentences', value: factualCount },
    { name: 'citations_unresolved', value: unresolved },
  ]
  if (factual > 0) out.push({ name: SCORE.citationCoverage, value: citingFactual / factual })
  if (citing > 0) out.push({ name: SCORE.citationSupport, value: citingSupported / citing })
  return out
}

export const groundingScorer = syncScorer('grounding', GROUNDING_VERSION, scoreGrounding)
