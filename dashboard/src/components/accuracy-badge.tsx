import { scorerAccuracy } from '../api/client.ts'
import { useApi } from '../lib/use-api.ts'

function figure(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3)
}

/**
 * A small badge next to a metric whose scorer misses its accuracy bar on data it never saw (from the
 * scorer card the server ships); the tooltip gives the figures. Nothing when the bars are met or unknown.
 */
export function AccuracyBadge({ metric }: { metric: string }) {
  const res = useApi('scorer-accuracy', scorerAccuracy)
  const missing = res.data?.items.filter((i) => i.metric === metric && i.barMet === false) ?? []
  if (missing.length === 0) return null
  const lines = missing.flatMap((i) => [
    `${i.score}: ${i.summary}`,
    ...i.misses.map(
      (m) =>
        `  ${m.dataset}, ${m.metric}: ${figure(m.value)} (bar ${m.kind === 'min' ? '>=' : '<='} ${figure(m.bar)})`,
    ),
  ])
  const title = lines.join('\n')
  return (
    <span className="badge accuracy-badge" title={title} data-testid="accuracy-badge">
      below its accuracy bar on unseen data
    </span>
  )
}
