import type { ClickHouseClient } from '@clickhouse/client'
import type { ExchangesPage, TimeSeries } from '@leash/shared'
import { listExchanges, overviewTimeSeries } from '../db/clickhouse/index.ts'
import { LeashError } from '../errors.ts'

const NICE_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400]
const TARGET_BUCKETS = 60
const MAX_BUCKETS = 2_000

/** Picks a readable bucket size giving about 60 points over the range. */
export function pickStep(rangeMs: number): number {
  const raw = rangeMs / 1000 / TARGET_BUCKETS
  return NICE_STEPS.find((s) => s >= raw) ?? 86_400
}

export interface OverviewInput {
  projectId: string
  from?: Date
  to?: Date
  step?: number
}

export async function overview({ ch }: { ch: ClickHouseClient }, input: OverviewInput): Promise<TimeSeries> {
  const to = input.to ?? new Date()
  const from = input.from ?? new Date(to.getTime() - 3600_000)
  const range = to.getTime() - from.getTime()
  if (!(range > 0)) throw new LeashError('bad_request', '`from` must be before `to`')
  const step = input.step ?? pickStep(range)
  if (range / 1000 / step > MAX_BUCKETS) {
    throw new LeashError(
      'bad_request',
      `range/step gives more than ${MAX_BUCKETS} buckets; use a larger step`,
    )
  }
  return overviewTimeSeries(ch)({ projectId: input.projectId, from, to, stepSeconds: step })
}

export async function exchanges(
  { ch }: { ch: ClickHouseClient },
  input: { projectId: string; limit: number; offset: number },
): Promise<ExchangesPage> {
  return listExchanges(ch)(input)
}
