import type { ScorerAccuracyResponse } from '@leash/shared'
import { Hono } from 'hono'
import { CATALOG, type CatalogMetric } from '../../metrics/catalog.ts'
import { accuracyCard } from '../../scoring/ml/accuracy-card.ts'
import { SCORE } from '../../scoring/scorer.ts'
import type { ApiContext, ApiEnv } from '../context.ts'

/** The scores a catalog metric is computed from (the ones whose accuracy bars apply to it). */
export function scoresOf(m: CatalogMetric): string[] {
  const s = m.source as { kind: string; score?: string }
  if (s.kind === 'false_refusal') return [SCORE.falseRefusal]
  if (s.kind === 'goodhart') return [SCORE.reward, SCORE.citationSupport]
  return typeof s.score === 'string' ? [s.score] : []
}

/**
 * `GET /scorers/accuracy` (login required): per metric of the catalog, whether the scorers behind it meet
 * their accuracy bars on held-out data (from `server/models/card.json`, written by `leash eval`), so the
 * dashboard can mark a metric whose instrument is weaker than its bar.
 */
export function scorerAccuracyRoutes(_ctx: ApiContext) {
  return new Hono<ApiEnv>().get('/scorers/accuracy', (c) => {
    const card = accuracyCard()
    const items: ScorerAccuracyResponse['items'] = []
    for (const m of CATALOG) {
      for (const score of scoresOf(m)) {
        const a = card?.scorers[score]
        if (!a) continue
        items.push({ metric: m.name, score, barMet: a.barMet, summary: a.summary, misses: a.misses })
      }
    }
    const body: ScorerAccuracyResponse = {
      available: card !== null,
      commit: card?.commit ?? null,
      items,
    }
    return c.json(body, 200)
  })
}
