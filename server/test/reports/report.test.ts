import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import {
  createClickHouse,
  insertExchanges,
  insertScores,
  migrateClickHouse,
} from '../../src/db/clickhouse/index.ts'
import { generateScenarioExchanges } from '../../src/demo/scenarios.ts'
import { escapeHtml, renderHtml } from '../../src/reports/render-html.ts'
import { renderMarkdown } from '../../src/reports/render-md.ts'
import { isoWeekOf, lastCompleteWeek, parseIsoWeek } from '../../src/reports/week.ts'
import { buildWeeklyReport, type WeeklyReport } from '../../src/reports/weekly.ts'

const NOW = Date.now()
const WEEK = lastCompleteWeek(NOW)
const PREV = isoWeekOf(WEEK.from - 1)
const EVIL_MODEL = '<script>alert("m")</script>'
const EVIL_TEXT = '<img src=x onerror=alert(1)> & "quotes"'

let ch: ClickHouseClient
let dir: string
let projectId: string
let report: WeeklyReport

describe('ISO weeks', () => {
  it('parses and names weeks', () => {
    expect(parseIsoWeek('2026-W01').from).toBe(Date.UTC(2025, 11, 29))
    expect(parseIsoWeek('2020-W53').from).toBe(Date.UTC(2020, 11, 28))
    expect(() => parseIsoWeek('2021-W53')).toThrow(/does not exist/)
    expect(() => parseIsoWeek('2026-48')).toThrow(/2026-W48/)
    expect(isoWeekOf(Date.UTC(2026, 10, 26, 18)).week).toBe('2026-W48')
    expect(isoWeekOf(Date.UTC(2027, 0, 1)).week).toBe('2026-W53')
    expect(lastCompleteWeek(Date.UTC(2026, 10, 26)).week).toBe('2026-W47')
  })
})

describe('weekly drift report', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-report-'))
    ch = createClickHouse({ dataDir: dir })
    await migrateClickHouse(ch)
    projectId = randomUUID()
    const mid = 3 * 86_400_000
    const gen = (scenario: 'control' | 'over-refusal', start: number, seed: number) =>
      generateScenarioExchanges({
        scenario,
        start,
        minutes: 90,
        ratePerMinute: 20,
        shiftAtMinute: 0,
        seed,
        projectId,
        route: 'chat',
      })
    for (const run of [gen('control', PREV.from + mid, 1), gen('over-refusal', WEEK.from + mid, 2)]) {
      await insertExchanges(ch)(run.exchanges)
      await insertScores(ch)(run.scores)
    }
    // A slice whose name and responses would inject markup if not escaped.
    const evil = generateScenarioExchanges({
      scenario: 'control',
      start: WEEK.from + mid,
      minutes: 2,
      ratePerMinute: 3,
      shiftAtMinute: 0,
      seed: 3,
      projectId,
      models: [EVIL_MODEL],
    })
    await insertExchanges(ch)(evil.exchanges.map((e) => ({ ...e, responseText: EVIL_TEXT })))
    await insertScores(ch)(evil.scores)
    // A model name the upstream 404'd: every call failed, nothing was scored.
    const missing = generateScenarioExchanges({
      scenario: 'control',
      start: WEEK.from + mid,
      minutes: 2,
      ratePerMinute: 5,
      shiftAtMinute: 0,
      seed: 4,
      projectId,
      models: ['no-such-model'],
    })
    await insertExchanges(ch)(
      missing.exchanges.map((x) => ({ ...x, status: 404, outcome: 'upstream_error', responseText: '' })),
    )

    report = await buildWeeklyReport(
      { ch },
      { projectId, projectName: 'Report & Co', week: WEEK, baseline: PREV, now: NOW },
    )
  }, 120_000)

  afterAll(async () => {
    await ch?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('flags the metric that got worse, with the multiple-testing guard', () => {
    const main = report.slices.find((s) => s.model === 'leash-demo-mini')
    expect(main?.requests).toBe(1800)
    const fr = main?.metrics.find((m) => m.metric === 'false_refusal_rate')
    expect(fr?.verdict).toBe('worse')
    expect(fr?.lastWeek.test).toBe('two_proportion_z')
    expect(fr?.lastWeek.pAdjusted).toBeLessThan(0.001)
    expect(fr?.lastWeek.pAdjusted ?? 0).toBeGreaterThanOrEqual(fr?.lastWeek.p ?? 1)
    // The pinned baseline is last week here, so both comparisons agree.
    expect(fr?.pinned?.delta).toBe(fr?.lastWeek.delta)
    const verdict = (n: string) => main?.metrics.find((m) => m.metric === n)?.verdict
    // Metrics the scenario does not touch stay unchanged...
    expect(['citation_support_rate', 'violation_rate', 'hedge_rate'].map(verdict)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ])
    // ...while short refusals make latency look better: the trade-off the report must show side by side.
    expect(verdict('latency_p95')).toBe('better')
    expect(main?.examples[0]?.items.length).toBeGreaterThan(0)
    expect(report.guard.tests).toBeGreaterThan(20)
    // The tiny slice is insufficient data, never zero.
    const evil = report.slices.find((s) => s.model === EVIL_MODEL)
    expect(evil?.metrics.find((m) => m.metric === 'refusal_rate')?.thisWeek).toMatchObject({
      value: null,
      insufficient: true,
    })
  })

  it('leaves out models with no successful traffic, and says so', () => {
    expect(report.slices.map((s) => s.model)).not.toContain('no-such-model')
    expect(report.errorOnlySlices).toEqual([
      { model: 'no-such-model', route: expect.any(String), requests: 10 },
    ])
    expect(renderHtml(report)).toContain('Left out (no successful call this week): no-such-model')
  })

  it('opens with a summary written from the numbers, then inline SVG charts; unchanged metrics fold away', () => {
    const html = renderHtml(report)
    const summary = html.slice(html.indexOf('data-section="summary"'), html.indexOf('</div>'))
    expect(summary).toMatch(/1,8\d\d requests across 2 model\/route slices; \d+ metrics? got worse against/)
    expect(summary).toMatch(/Biggest moves: [a-z_0-9]+ [+-][\d.,]+/)
    expect(summary).toContain('false_refusal_rate +')
    expect(html).toContain('<svg role="img" aria-label="Top movers against last week"')
    expect(html).toContain('<svg role="img" aria-label="Violation rate and false-refusal rate by week"')
    expect(report.tradeoff.map((w) => w.week)).toHaveLength(6)
    expect(report.tradeoff.at(-1)?.week).toBe(WEEK.week)
    expect(report.tradeoff.at(-2)?.violation.n).toBeGreaterThan(0)
    expect(html).toMatch(/<details><summary>\d+ unchanged or insufficient metrics<\/summary>/)
    // Self-contained: no script, no external resource.
    expect(html).not.toMatch(/<script|<link|src="http|href="http/)
    // Counts are whole numbers.
    expect(html).not.toMatch(/<td title="[^"]*">(errors|requests)<\/td><td>\d+\.\d/)
  })

  it('says when alert history was not available, rather than "no alerts"', () => {
    expect(report.alerts).toBeNull()
    expect(renderMarkdown(report)).toContain('_Alert history was not available to this report._')
  })

  it('renders HTML with everything escaped', () => {
    const html = renderHtml(report)
    expect(html).not.toContain('<script>alert')
    expect(html).not.toContain('<img src=x')
    expect(html).toContain(escapeHtml(EVIL_MODEL))
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;')
    expect(html).toContain('Report &amp; Co')
    expect(html).toContain('false_refusal_rate')
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })

  it('renders Markdown and round-trips JSON', () => {
    const md = renderMarkdown(report)
    expect(md).toContain(`# Weekly drift report: Report & Co, ${WEEK.week}`)
    expect(md).toMatch(/\| false_refusal_rate \| [\d.]+% \| \+[\d.]+ pts \| <0\.001 \* \| .* \| WORSE \|/)
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
  })
})
