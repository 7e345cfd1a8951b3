import type { ClickHouseClient } from '@clickhouse/client'
import type { Db } from '../db/postgres/index.ts'
import { compareToBaseline } from '../drift/baseline.ts'
import { LeashError } from '../errors.ts'
import { findMetric } from '../metrics/catalog.ts'
import { queryEstimatedWindow, queryMetricWindow, worstExamples } from '../metrics/query.ts'
import type { MetricSource } from './source.ts'

/**
 * The production metric source: the metric catalog's query layer over ClickHouse. With the labels'
 * database, rates of binary scorers are corrected with labels where they allow it (metrics/corrected.ts).
 */
export function clickHouseSource(ch: ClickHouseClient, db?: Db): MetricSource {
  return {
    window: (q) => (db ? queryEstimatedWindow({ ch, db }, q) : queryMetricWindow(ch, q)),
    async drift(q) {
      const model = q.baseline.filters?.model
      const baseline =
        model !== undefined && model !== q.current.filters?.model
          ? { kind: 'model' as const, model }
          : { kind: 'pinned' as const, from: q.baseline.from, to: q.baseline.to }
      const r = await compareToBaseline(ch, {
        projectId: q.projectId,
        metric: q.metric,
        current: q.current,
        baseline,
      })
      const value = q.statistic === 'psi' ? r.psi : q.statistic === 'js' ? r.js : (r.ks?.d ?? null)
      if (value === null && !r.insufficient)
        throw new LeashError(
          'bad_request',
          `metric '${q.metric}' has no distribution for ${q.statistic.toUpperCase()}`,
        )
      return {
        value,
        n: r.nCurrent,
        baselineN: r.nBaseline,
        insufficient: r.insufficient,
        pValue: q.statistic === 'ks' ? (r.ks?.p ?? null) : r.p,
      }
    },
    async examples(q) {
      const rows = await worstExamples(ch, q)
      return rows.map((r) => ({ eventId: r.eventId, excerpt: r.excerpt, value: r.value }))
    },
    describe(metric) {
      const m = findMetric(metric)
      return m
        ? { minSamples: m.minSamples, better: m.better, dimensions: m.source.kind !== 'ingest_health' }
        : undefined
    },
  }
}
