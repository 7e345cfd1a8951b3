import type { Me, Project } from '@leash/shared'
import { useEffect, useState } from 'react'
import { errorMessage, isUnauthorized, listProjects } from '../api/client.ts'
import { Charts } from '../components/charts.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ExchangesTable } from '../components/exchanges-table.tsx'
import { StatTiles } from '../components/stat-tiles.tsx'
import { TopBar } from '../components/top-bar.tsx'
import type { RangeKey } from '../lib/range.ts'
import { rangeOf } from '../lib/range.ts'
import { useInterval } from '../lib/use-interval.ts'
import { PAGE_SIZE, useOverviewData } from '../lib/use-overview-data.ts'

interface OverviewPageProps {
  user: Me
  onLogout: () => void
  onUnauthorized: () => void
}

export function OverviewPage({ user, onLogout, onUnauthorized }: OverviewPageProps) {
  const [projects, setProjects] = useState<Project[]>([])
  const [projectError, setProjectError] = useState<string | null>(null)
  const [project, setProject] = useState('')
  const [range, setRange] = useState<RangeKey>('1h')
  const [offset, setOffset] = useState(0)
  const [paused, setPaused] = useState(false)
  const [now, setNow] = useState(() => Date.now())
  const data = useOverviewData({ project, range, offset, paused, onUnauthorized })

  useEffect(() => {
    listProjects()
      .then(setProjects)
      .catch((err: unknown) => (isUnauthorized(err) ? onUnauthorized() : setProjectError(errorMessage(err))))
  }, [onUnauthorized])
  useInterval(() => setNow(Date.now()), 1000)

  const age = data.updatedAt === null ? null : (now - data.updatedAt) / 1000
  const noTrafficYet = data.page !== null && data.page.total === 0 && offset === 0
  const error = data.error ?? projectError

  return (
    <div className="app">
      <TopBar
        user={user}
        projects={projects}
        project={project}
        onProject={(id) => {
          setProject(id)
          setOffset(0)
        }}
        range={range}
        onRange={setRange}
        paused={paused}
        onPaused={setPaused}
        age={age}
        onLogout={onLogout}
      />
      <main className="content">
        {error ? (
          <div className="banner banner-error" role="alert" data-testid="load-error">
            Could not refresh: {error}
          </div>
        ) : null}
        <StatTiles summary={data.summary} rangeLabel={rangeOf(range).label} />
        {noTrafficYet ? <EmptyState /> : null}
        <Charts rows={data.rows} rangeSeconds={rangeOf(range).seconds} />
        {data.page && !noTrafficYet ? (
          <ExchangesTable
            items={data.page.items}
            total={data.page.total}
            offset={offset}
            limit={PAGE_SIZE}
            onOffset={setOffset}
          />
        ) : null}
      </main>
    </div>
  )
}
