import type { ExchangesPage } from '@leash/shared'
import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage, isUnauthorized, listExchanges, overview } from '../api/client.ts'
import type { RangeKey } from './range.ts'
import { rangeOf, windowFor } from './range.ts'
import type { ChartRow, Summary } from './series.ts'
import { summarize, toChartRows } from './series.ts'
import { useInterval } from './use-interval.ts'

export const REFRESH_MS = 5000
export const PAGE_SIZE = 20

interface Inputs {
  project: string
  range: RangeKey
  offset: number
  paused: boolean
  onUnauthorized: () => void
}

export interface OverviewData {
  rows: ChartRow[]
  summary: Summary | null
  page: ExchangesPage | null
  error: string | null
  updatedAt: number | null
}

const EMPTY: OverviewData = { rows: [], summary: null, page: null, error: null, updatedAt: null }

/** Loads charts, totals and one page of responses together, now and every 5 s unless paused. */
export function useOverviewData({ project, range, offset, paused, onUnauthorized }: Inputs): OverviewData {
  const [data, setData] = useState<OverviewData>(EMPTY)
  // Only the newest request may write state: a slow answer for an old range must not win.
  const seq = useRef(0)

  const load = useCallback(async () => {
    const mine = ++seq.current
    const r = rangeOf(range)
    const w = windowFor(r)
    const p = project || undefined
    try {
      const [chart, totals, page] = await Promise.all([
        overview({ from: w.from, to: w.to, step: w.step, project: p }),
        overview({ from: w.from, to: w.to, step: w.summaryStep, project: p }),
        listExchanges({ limit: PAGE_SIZE, offset, project: p }),
      ])
      if (mine !== seq.current) return
      setData({
        rows: toChartRows(chart),
        summary: summarize(totals),
        page,
        error: null,
        updatedAt: Date.now(),
      })
    } catch (err) {
      if (mine !== seq.current) return
      if (isUnauthorized(err)) return onUnauthorized()
      setData((prev) => ({ ...prev, error: errorMessage(err) }))
    }
  }, [project, range, offset, onUnauthorized])

  useEffect(() => {
    void load()
  }, [load])
  useInterval(() => void load(), REFRESH_MS, !paused)
  return data
}
