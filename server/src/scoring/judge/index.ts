import type { ProjectSettings } from '@leash/shared'
import type { ExchangeRecord } from '../../exchange/record.ts'
import type { ScoreRow } from '../../exchange/score.ts'
import type { Logger } from '../../log.ts'
import { createJudgeRunner, type JudgeConfig } from './runner.ts'

export type { JudgeConfig } from './runner.ts'
export { createJudgeRunner } from './runner.ts'

/**
 * The projects' LLM judges, fed by the ingest pipeline after a batch is stored: `offer` returns at once
 * and the judging runs in the background, one runner per distinct `scoring.judge` setting (its limits,
 * cache and cost counters are per configuration). `drain` waits for the work in flight (tests, shutdown).
 */
export function createJudges(opts: {
  settingsFor(projectId: string): Pick<ProjectSettings, 'scoring'>
  write: (rows: ScoreRow[]) => Promise<void>
  log: Logger
  env?: Record<string, string | undefined>
}) {
  const runners = new Map<string, ReturnType<typeof createJudgeRunner>>()
  const inFlight = new Set<Promise<unknown>>()
  function runnerFor(config: JudgeConfig) {
    const key = JSON.stringify(config)
    let r = runners.get(key)
    if (!r) {
      r = createJudgeRunner({ config, write: opts.write, ...(opts.env ? { env: opts.env } : {}) })
      runners.set(key, r)
    }
    return r
  }
  return {
    offer(records: readonly ExchangeRecord[]): void {
      const byConfig = new Map<string, { config: JudgeConfig; records: ExchangeRecord[] }>()
      for (const r of records) {
        const judge = opts.settingsFor(r.projectId).scoring.judge
        if (!judge || r.responseText === '') continue
        const key = JSON.stringify(judge)
        const group = byConfig.get(key) ?? { config: judge as JudgeConfig, records: [] }
        group.records.push(r)
        byConfig.set(key, group)
      }
      for (const { config, records: group } of byConfig.values()) {
        const work = runnerFor(config)
          .judge(
            group.map((r) => ({
              eventId: r.eventId,
              projectId: r.projectId,
              time: r.time,
              prompt: r.prompt,
              response: r.responseText,
            })),
          )
          .catch((err: unknown) =>
            opts.log('warn', 'the LLM judge failed on a batch', { error: (err as Error).message }),
          )
        inFlight.add(work)
        void work.finally(() => inFlight.delete(work))
      }
    },
    stats() {
      return [...runners.entries()].map(([key, r]) => ({
        config: JSON.parse(key) as JudgeConfig,
        ...r.stats,
      }))
    },
    async drain(): Promise<void> {
      while (inFlight.size) await Promise.all([...inFlight])
    },
  }
}
