import type { MetricDefinition } from '@leash/shared'
import { AGGREGATE_CI, BETTER_LABEL, FAMILY_LABEL } from '../lib/metric-meta.ts'
import { UNIT_LABEL } from '../lib/units.ts'
import { AccuracyBadge } from './accuracy-badge.tsx'

/** What a metric means: shown next to its chart, because a number without its formula is a guess. */
export function MetricDefinitionCard({ metric }: { metric: MetricDefinition }) {
  return (
    <section className="card metric-def" data-testid="metric-definition">
      <h3>{FAMILY_LABEL[metric.family]}</h3>
      <h2 className="metric-name">
        {metric.name}
        <AccuracyBadge metric={metric.name} />
      </h2>
      <p>{metric.description}</p>
      <dl className="facts">
        <dt>Formula</dt>
        <dd>
          <code data-testid="metric-formula">{metric.formula}</code>
        </dd>
        <dt>Unit</dt>
        <dd data-testid="metric-unit">{UNIT_LABEL[metric.unit]}</dd>
        <dt>Aggregate</dt>
        <dd>{AGGREGATE_CI[metric.aggregate]}</dd>
        <dt>Min samples</dt>
        <dd data-testid="metric-min-samples">
          {metric.minSamples > 0
            ? `${metric.minSamples} per bucket; fewer shows as insufficient data`
            : 'none (a count is exact)'}
        </dd>
        <dt>Direction</dt>
        <dd>{BETTER_LABEL[metric.better]}</dd>
      </dl>
    </section>
  )
}
