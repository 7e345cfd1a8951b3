import type { AlertItem } from '@leash/shared'
import { listAlerts } from '../api/client.ts'
import type { ChartMarks } from '../components/band-chart.tsx'
import { useSession } from './session.tsx'
import { useApi } from './use-api.ts'

/** Every recent incident of the project (all states), refreshed every 30 s; one fetch shared per page. */
export function useIncidents() {
  const { project } = useSession()
  return useApi(`incidents:${project}`, () => listAlerts(project, ''), {
    refreshMs: 30_000,
    keepPrevious: true,
  })
}

/** Firing spans of the incidents about `metric`, as chart marks (an open incident runs to now). */
export function incidentSpans(
  items: AlertItem[] | null,
  metric: string,
  now: number = Date.now(),
): ChartMarks {
  const spans = (items ?? [])
    .filter((a) => a.evidence.metric === metric)
    .map((a) => ({
      from: Date.parse(a.startedAt),
      to: a.resolvedAt ? Date.parse(a.resolvedAt) : now,
      label: a.rule.length > 28 ? `${a.rule.slice(0, 27)}…` : a.rule,
    }))
  return { spans }
}
