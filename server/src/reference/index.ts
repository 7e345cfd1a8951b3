import type { ClickHouseClient } from '@clickhouse/client'
import { insertScores } from '../db/clickhouse/index.ts'
import type { ExchangeRecord } from '../exchange/record.ts'
import type { Logger } from '../log.ts'
import type { SettingsCache } from '../projects/settings.ts'
import { builtinScorers } from '../scoring/registry.ts'
import type { ScoreRow } from '../scoring/scorer.ts'
import type { PairJudge } from './compare.ts'
import { createReferenceRunner, type ReferenceRunner } from './runner.ts'
import { insertReferenceRows } from './store.ts'

export type { PairJudge } from './compare.ts'
export { REF } from './compare.ts'
export type { ReferenceCounters, ReferenceRunner } from './runner.ts'

type Score = (exchanges: readonly ExchangeRecord[]) => Promise<ScoreRow[]>

/**
 * The reference comparisons of a running Leash. `afterScoring` wraps the pipeline's scoring step: once a
 * batch is recorded and scored, its exchanges are offered to the runner, which samples and queues them
 * and returns at once; its own calls, scores and rows go to ClickHouse later, on their own.
 */
export function startReference(opts: {
  ch: ClickHouseClient
  settings: Pick<SettingsCache, 'get'>
  upstream: { baseUrl: string; apiKey?: string }
  log: Logger
  judge?: PairJudge
}): { runner: ReferenceRunner; afterScoring(score: Score): Score } {
  const writeScores = insertScores(opts.ch)
  const writeRows = insertReferenceRows(opts.ch)
  const runner = createReferenceRunner({
    settingsFor: (projectId) => opts.settings.get(projectId),
    writeScores: (rows) => writeScores(rows),
    writeRows: (rows) => writeRows(rows),
    upstream: opts.upstream,
    log: opts.log,
    // Paired mode judges both answers with the registry's own reward, refusal and style scorers.
    loadScorers: () => builtinScorers(['safety', 'style', 'reward-builtin']),
    ...(opts.judge ? { judge: opts.judge } : {}),
  })
  return {
    runner,
    afterScoring: (score) => async (exchanges) => {
      const rows = await score(exchanges)
      runner.offer(exchanges)
      return rows
    },
  }
}
