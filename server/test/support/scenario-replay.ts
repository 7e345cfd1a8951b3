import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { type AlertRuleInput, AlertRuleInput as AlertRuleSchema } from '@leash/shared'
import { eq } from 'drizzle-orm'
import { clickHouseSource } from '../../src/alerts/clickhouse-source.ts'
import { ensureDefaultRules } from '../../src/alerts/defaults.ts'
import { evaluateOnce } from '../../src/alerts/evaluator.ts'
import { DEFAULT_LIFECYCLE } from '../../src/alerts/lifecycle.ts'
import { createRule } from '../../src/alerts/rules.ts'
import {
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
} from '../../src/db/clickhouse/index.ts'
import { alertRules, incidents, openPostgres, type Postgres, projects } from '../../src/db/postgres/index.ts'
import type { DemoScenario } from '../../src/demo/scenario.ts'
import { generateScenarioExchanges } from '../../src/demo/scenarios.ts'

export const MIN = 60_000
const WEEK = 7 * 86_400_000
export const RATE = 20
export const MINUTES = 100
export const SHIFT = 30
export const RECOVER = 60
/** Evaluate every 5 simulated minutes: three evaluations per 15-minute window. */
export const STEP_MIN = 5
export const FIRST_EVAL = 15
/** Simulated time starts a few hours ago, so every row is well inside retention. */
const START = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 4 * 3_600_000

export interface ScenarioStores {
  ch: ClickHouseClient
  pg: Postgres
  close(): Promise<void>
}

/** Real chdb and PGlite on a fresh folder. */
export async function openScenarioStores(): Promise<ScenarioStores> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-scenario-'))
  const ch = createClickHouse({ dataDir: dir })
  await migrateClickHouse(ch)
  const pg = await openPostgres({ dataDir: dir })
  await pg.migrate()
  return {
    ch,
    pg,
    async close() {
      await Promise.allSettled([ch.close(), pg.close()])
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function insertRun(ch: ClickHouseClient, run: ReturnType<typeof generateScenarioExchanges>) {
  await insertExchanges(ch)(run.exchanges)
  const byId = new Map(run.exchanges.map((e) => [e.eventId, e]))
  await insertScores(ch)(
    run.scores.map((s) => {
      const e = byId.get(s.eventId)
      return {
        ...s,
        model: e?.model,
        route: e?.route,
        feature: e?.tags.feature,
        policyVersion: e?.tags.policyVersion,
        upstream: e?.upstream,
      }
    }),
  )
}

export interface Replay {
  /** Minute (after the start) each builtin rule's incident opened, and resolved. */
  opened: Record<string, number>
  resolved: Record<string, number>
  /** Evidence stored on each rule's incident. */
  evidence: Record<string, Record<string, unknown>>
  /** Per rule, `minute:state` at each evaluation (for failure messages). */
  trace: Record<string, string[]>
}

/**
 * Inserts a week-before control run (the change rules' baseline) and the scenario run for a new
 * project with the default rules, then evaluates the given builtin rules every STEP_MIN minutes.
 */
export async function replay(
  s: ScenarioStores,
  scenario: DemoScenario | 'control',
  seed: number,
  builtins: string[],
  /** Extra rules (named by `name`) created for this project and evaluated too. */
  extra: AlertRuleInput[] = [],
  /** false = a fresh install: no week-before run, the default rules have no last week to compare with. */
  opts: { weekBefore?: boolean } = {},
): Promise<Replay> {
  const [p] = await s.pg.db
    .insert(projects)
    .values({ slug: `s-${scenario}-${seed}`, name: scenario })
    .returning()
  const projectId = (p as { id: string }).id
  await ensureDefaultRules(s.pg.db, projectId)
  for (const input of extra)
    await createRule({ ctx: { db: s.pg.db }, input: { projectId, rule: AlertRuleSchema.parse(input) } })
  const rules = await s.pg.db.select().from(alertRules).where(eq(alertRules.projectId, projectId))
  const nameOf = new Map(rules.map((r) => [r.id, r.builtin ?? r.name]))
  const ruleIds = rules
    .filter((r) => builtins.includes(r.builtin as string) || (!r.builtin && extra.length > 0))
    .map((r) => r.id)
  const gen = { minutes: MINUTES, ratePerMinute: RATE, projectId }
  if (opts.weekBefore !== false)
    await insertRun(
      s.ch,
      generateScenarioExchanges({
        ...gen,
        scenario: 'control',
        start: START - WEEK,
        shiftAtMinute: MINUTES,
        seed: seed + 7,
      }),
    )
  await insertRun(
    s.ch,
    generateScenarioExchanges({
      ...gen,
      scenario,
      start: START,
      shiftAtMinute: SHIFT,
      recoverAtMinute: RECOVER,
      seed,
    }),
  )
  const deps = {
    db: s.pg.db,
    source: clickHouseSource(s.ch),
    log: () => {},
    config: { ...DEFAULT_LIFECYCLE, publicUrl: 'http://leash.test' },
  }
  const out: Replay = { opened: {}, resolved: {}, evidence: {}, trace: {} }
  for (let m = FIRST_EVAL; m <= MINUTES; m += STEP_MIN) {
    for (const r of await evaluateOnce(deps, START + m * MIN, { projectId, ruleIds })) {
      const name = nameOf.get(r.ruleId) as string
      const states = r.instances.map((i) => i.state).join(',')
      out.trace[name] = [...(out.trace[name] ?? []), `${m}:${states}${r.error ? ` (${r.error})` : ''}`]
    }
  }
  for (const inc of await s.pg.db.select().from(incidents).where(eq(incidents.projectId, projectId))) {
    const name = nameOf.get(inc.ruleId) as string
    out.opened[name] = (inc.startedAt.getTime() - START) / MIN
    out.evidence[name] = inc.evidence
    if (inc.resolvedAt) out.resolved[name] = (inc.resolvedAt.getTime() - START) / MIN
  }
  return out
}

/** "Within the stated number of windows": fires within one 15-minute window of the shift, resolves within two of recovery. */
export const WINDOW_MIN = 15

/** Rules the single-metric scenarios must not trip (besides their own). */
export const WATCHED = [
  'false-refusal-rate',
  'cost-per-request-change',
  'latency-p95-change',
  'citation-support-drop',
]
