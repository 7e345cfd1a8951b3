import { useState } from 'react'
import { Charts } from '../components/charts.tsx'
import { RangePicker, RefreshControls } from '../components/controls.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ExchangesTable } from '../components/exchanges-table.tsx'
import { IncidentBanner } from '../components/incident-banner.tsx'
import { SafetyPanel } from '../components/safety-panel.tsx'
import { StatTiles } from '../components/stat-tiles.tsx'
import { PageHeader } from '../components/states.tsx'
import { isRangeKey, rangeOf } from '../lib/range.ts'
import { setQuery, useLocation } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { ageSeconds, useNow } from '../lib/use-now.ts'
import { PAGE_SIZE, useOverviewData } from '../lib/use-overview-data.ts'

export function OverviewPage() {
  const { project, onUnauthorized } = useSession()
  const { query } = useLocation()
  const rangeParam = query.get('range') ?? ''
  const range = isRangeKey(rangeParam) ? rangeParam : '1h'
  const [offset, setOffset] = useState(0)
  const [paused, setPaused] = useState(false)
  const data = useOverviewData({ project, range, offset, paused, onUnauthorized })
  const now = useNow()

  const noTrafficYet = data.page !== null && data.page.total === 0 && offset === 0
  return (
    <>
      <PageHeader
        title="Overview"
        sub={`Traffic, refusals and latency over the last ${rangeOf(range).label}`}
      >
        <RangePicker range={range} onRange={(key) => setQuery({ range: key === '1h' ? null : key })} />
        <RefreshControls age={ageSeconds(data.updatedAt, now)} paused={paused} onPaused={setPaused} />
      </PageHeader>
      <IncidentBanner />
      {data.error ? (
        <div className="banner banner-error" role="alert" data-testid="load-error">
          Could not refresh: {data.error}
        </div>
      ) : null}
      <StatTiles summary={data.summary} rangeLabel={rangeOf(range).label} />
      {noTrafficYet ? <EmptyState /> : null}
      <Charts rows={data.rows} rangeSeconds={rangeOf(range).seconds} />
      <SafetyPanel range={range} />
      {data.page && !noTrafficYet ? (
        <ExchangesTable
          items={data.page.items}
          total={data.page.total}
          offset={offset}
          limit={PAGE_SIZE}
          onOffset={setOffset}
        />
      ) : null}
    </>
  )
}
