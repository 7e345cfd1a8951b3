import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clickHouseSource } from '../../src/alerts/clickhouse-source.ts'
import { DEFAULT_RULES, ensureDefaultRules } from '../../src/alerts/defaults.ts'
import { evaluateOnce } from '../../src/alerts/evaluator.ts'
import { DEFAULT_LIFECYCLE } from '../../src/alerts/lifecycle.ts'
import { insertExchanges, insertIngestHealth, insertScores } from '../../src/db/clickhouse/index.ts'
import { alertRules, incidents, projects } from '../../src/db/postgres/index.ts'
import { createPipeline, type PipelineDeps } from '../../src/ingest/pipeline.ts'
import type { WriteFn } from '../../src/ingest/spool/index.ts'
import { exchange } from '../support/ingest-fixtures.ts'
import { openScenarioStores, type ScenarioStores } from '../support/scenario-replay.ts'

let stores: ScenarioStores
let root: string
beforeAll(async () => {
  stores = await openScenarioStores()
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-dropped-'))
}, 120_000)
afterAll(async () => {
  await stores?.close()
  fs.rmSync(root, { recursive: true, force: true })
})

async function newProject(slug: string): Promise<string> {
  const [p] = await stores.pg.db.insert(projects).values({ slug, name: slug }).returning()
  const id = (p as { id: string }).id
  await ensureDefaultRules(stores.pg.db, id)
  return id
}

/** A real pipeline into chdb that reports its health only when told (no timer within the test). */
function pipeline(name: string, extra: Partial<PipelineDeps> = {}) {
  return createPipeline({
    writeExchanges: insertExchanges(stores.ch),
    writeScores: insertScores(stores.ch),
    writeHealth: insertIngestHealth(stores.ch),
    healthIntervalMs: 600_000,
    replica: `test-${name}`,
    scorers: [],
    log: () => {},
    spoolDir: path.join(root, name),
    batchIntervalMs: 20,
    closeTimeoutMs: 2_000,
    ...extra,
  })
}

/** Evaluates the project's default rules now; returns builtin -> instance states, and the incidents. */
async function evaluate(projectId: string, builtins: string[]) {
  const rules = await stores.pg.db.select().from(alertRules).where(eq(alertRules.projectId, projectId))
  const nameOf = new Map(rules.map((r) => [r.id, r.builtin ?? r.name]))
  const deps = {
    db: stores.pg.db,
    source: clickHouseSource(stores.ch),
    log: () => {},
    config: { ...DEFAULT_LIFECYCLE, publicUrl: 'http://leash.test' },
  }
  const ruleIds = rules.filter((r) => builtins.includes(r.builtin ?? '')).map((r) => r.id)
  // A second past the last health row, so it is inside [now - 5m, now).
  const results = await evaluateOnce(deps, Date.now() + 1_000, { projectId, ruleIds })
  const states = Object.fromEntries(
    results.map((r) => [
      nameOf.get(r.ruleId),
      `${r.instances.map((i) => i.state).join(',')}${r.error ?? ''}`,
    ]),
  )
  const opened = await stores.pg.db.select().from(incidents).where(eq(incidents.projectId, projectId))
  return { states, opened: opened.map((i) => ({ rule: nameOf.get(i.ruleId), evidence: i.evidence })) }
}

/** Issue 11, item 3: a drop is loud as an alert too (ingest_health_v1 -> records_dropped -> default rule). */
describe('default rule: answered calls were not recorded', () => {
  it('a healthy run writes health rows and fires no default rule', async () => {
    const projectId = await newProject('healthy')
    const p = await pipeline('healthy')
    for (let i = 0; i < 50; i++) p.record(exchange({ projectId }, i))
    await p.flush()
    await p.reportHealth()
    const { states, opened } = await evaluate(
      projectId,
      DEFAULT_RULES.map((d) => d.builtin),
    )
    expect(states['records-dropped']).toBe('Normal')
    expect(opened).toEqual([])
    await p.close()
    const rs = await stores.ch.query({
      query: "SELECT count() AS n, sum(dropped) AS d FROM ingest_health_v1 WHERE replica = 'test-healthy'",
      format: 'JSONEachRow',
    })
    // One row at the report above and one at close; the heartbeat row is written even with no drops.
    const [row] = (await rs.json()) as Array<{ n: number | string; d: number | string }>
    expect([Number(row?.n), Number(row?.d)]).toEqual([2, 0])
  }, 120_000)

  it('drops under a full spool (drop_new) open a critical incident for the project, with the count', async () => {
    const projectId = await newProject('dropping')
    const bystander = await newProject('bystander')
    const records = Array.from({ length: 15 }, () => exchange({ projectId, time: Date.now() }, 0))
    const frame = 8 + Buffer.byteLength(JSON.stringify(records[0]))
    const p = await pipeline('dropping', {
      spoolMaxBytes: Math.floor(10.5 * frame),
      spoolFullPolicy: 'drop_new',
    })
    // Appends are synchronous: all 15 land before the drain loop can free anything, so exactly 5 drop.
    for (const r of records) p.record(r)
    expect(p.stats().dropped).toBe(5)
    await p.flush()
    await p.reportHealth()

    const { states, opened } = await evaluate(projectId, ['records-dropped'])
    expect(states['records-dropped']).toBe('Firing')
    expect(opened).toHaveLength(1)
    const ev = opened[0]?.evidence as {
      value: number
      threshold: number
      window: string
      examples: unknown[]
    }
    expect(ev).toMatchObject({ value: 5, threshold: 0, window: '5m', examples: [] })
    expect(DEFAULT_RULES.find((d) => d.builtin === 'records-dropped')?.severity).toBe('critical')
    // The drops were attributed to their project: another project's rule stays quiet.
    expect((await evaluate(bystander, ['records-dropped'])).states['records-dropped']).toBe('Normal')
    await p.close()
  }, 120_000)

  it('drops of unknown project (drop_oldest) reach every project through the replica row', async () => {
    const a = await newProject('oldest-a')
    const b = await newProject('oldest-b')
    const records = Array.from({ length: 15 }, () => exchange({ projectId: a, time: Date.now() }, 0))
    const frame = 8 + Buffer.byteLength(JSON.stringify(records[0]))
    const p = await pipeline('oldest', {
      spoolMaxBytes: Math.floor(10.5 * frame),
      spoolSegmentBytes: 2 * frame,
      spoolFullPolicy: 'drop_oldest',
    })
    for (const r of records) p.record(r)
    const dropped = p.stats().dropped
    expect(dropped).toBeGreaterThan(0)
    await p.flush()
    await p.reportHealth()
    for (const project of [a, b]) {
      const { states, opened } = await evaluate(project, ['records-dropped'])
      expect(states['records-dropped']).toBe('Firing')
      expect(opened[0]?.evidence).toMatchObject({ value: dropped })
    }
    await p.close()
  }, 120_000)

  it('a full disk (injected ENOSPC): drops past the memory cap and records lost at close are counted', async () => {
    const projectId = await newProject('disk-full')
    const full = true
    const write: WriteFn = (fd, buf, off, len, pos) => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      return fs.writeSync(fd, buf, off, len, pos)
    }
    const records = Array.from({ length: 12 }, () => exchange({ projectId, time: Date.now() }, 0))
    const frame = 8 + Buffer.byteLength(JSON.stringify(records[0]))
    const p = await pipeline('disk-full', {
      spoolWrite: write,
      spoolMemoryMaxBytes: Math.floor(3.5 * frame),
      spoolFullPolicy: 'drop_new',
    })
    for (const r of records) p.record(r)
    const refused = p.stats().dropped
    expect(refused).toBeGreaterThan(0)
    await p.reportHealth()
    const { states } = await evaluate(projectId, ['records-dropped'])
    expect(states['records-dropped']).toBe('Firing')
    // Closing while the disk is still full loses what waited in memory: the replica row says so.
    await p.close()
    const rs = await stores.ch.query({
      query: `SELECT project_id, toUInt32(sum(dropped)) AS d, toUInt32(sum(dropped_disk_full)) AS df
        FROM ingest_health_v1 WHERE replica = 'test-disk-full' GROUP BY project_id ORDER BY project_id`,
      format: 'JSONEachRow',
    })
    const rows = (
      (await rs.json()) as Array<{ project_id: string; d: number | string; df: number | string }>
    ).map((r) => [r.project_id === '' ? 'replica' : 'project', Number(r.d), Number(r.df)])
    const lost = p.stats().dropped - refused
    expect(lost).toBeGreaterThan(0)
    expect(rows).toEqual([
      ['replica', lost, refused + lost],
      ['project', refused, 0],
    ])
  }, 120_000)
})
