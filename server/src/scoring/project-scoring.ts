import type { ProjectSettings } from '@leash/shared'
import type { ExchangeRecord } from '../exchange/record.ts'
import type { Logger } from '../log.ts'
import { BUILTIN_REWARD, loadBuiltins, mainThreadScorers } from './registry.ts'
import { scoreExchanges } from './run.ts'
import type { ScoreRow, Scorer } from './scorer.ts'
import { BUILTIN_SCORER_NAMES } from './workers/catalog.ts'
import type { ScorerPoolOptions } from './workers/pool.ts'

/** A reward model that failed to load is retried after this long, not on every batch. */
const RETRY_FAILED_MS = 60_000

export interface ProjectScoring {
  /** Scores a batch of exchanges from any mix of projects, each with its own reward model. */
  score(exchanges: readonly ExchangeRecord[]): Promise<ScoreRow[]>
  close(): Promise<void>
}

export interface ProjectScoringOptions {
  settingsFor(projectId: string): Pick<ProjectSettings, 'scoring'>
  log: Logger
  /** Worker pool options; `false` runs the built-in scorers on the calling thread. */
  pool?: ScorerPoolOptions | false
}

interface Extras {
  scorers: Scorer[]
  failedAt: number | null
}

/**
 * Scoring for the ingest pipeline. One worker pool runs the built-in scorers (safety, grounding, tools,
 * style and the built-in reward model) for every project; a project that chose an ONNX or remote reward
 * model, or a shadow, gets those on the main thread, loaded once per distinct configuration.
 */
export async function createProjectScoring(opts: ProjectScoringOptions): Promise<ProjectScoring> {
  const loaded = await loadBuiltins([...BUILTIN_SCORER_NAMES, BUILTIN_REWARD], {
    pool: opts.pool,
    log: opts.log,
  })
  const builtins = loaded.scorers
  const extras = new Map<string, Extras>()

  async function extrasFor(scoring: ProjectSettings['scoring']): Promise<Scorer[]> {
    if (scoring.reward.kind === 'builtin' && !scoring.shadowReward) return []
    const key = JSON.stringify(scoring)
    const cached = extras.get(key)
    if (cached && (cached.failedAt === null || Date.now() - cached.failedAt < RETRY_FAILED_MS))
      return cached.scorers
    const entry: Extras = { scorers: [], failedAt: null }
    try {
      await mainThreadScorers(scoring, entry.scorers)
    } catch (err) {
      entry.failedAt = Date.now()
      opts.log('error', 'the project reward model could not be loaded; its scores are skipped', {
        reward: scoring.reward.kind,
        error: (err as Error).message,
      })
    }
    extras.set(key, entry)
    return entry.scorers
  }

  return {
    async score(exchanges) {
      const byProject = new Map<string, ExchangeRecord[]>()
      for (const ex of exchanges) {
        const list = byProject.get(ex.projectId)
        if (list) list.push(ex)
        else byProject.set(ex.projectId, [ex])
      }
      const rows: ScoreRow[] = []
      for (const [projectId, group] of byProject) {
        try {
          const { scoring } = opts.settingsFor(projectId)
          const own = await extrasFor(scoring)
          const base =
            scoring.reward.kind === 'builtin' ? builtins : builtins.filter((s) => s.name !== BUILTIN_REWARD)
          rows.push(...(await scoreExchanges(group, [...base, ...own], opts.log)))
        } catch (err) {
          // Scoring never loses exchanges: a failure here costs this group's scores only, loudly.
          opts.log('error', 'scoring a batch failed', { projectId, error: (err as Error).message })
        }
      }
      return rows
    },
    async close() {
      await loaded.close()
      const all = [...extras.values()].flatMap((e) => e.scorers)
      await Promise.allSettled(all.map((s) => s.close?.()))
    },
  }
}
