import fs from 'node:fs'
import path from 'node:path'
import type { ExchangesPage } from '@leash/shared'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clickHouseSource } from '../../../server/src/alerts/clickhouse-source.ts'
import { evaluateOnce } from '../../../server/src/alerts/evaluator.ts'
import { DEFAULT_LIFECYCLE } from '../../../server/src/alerts/lifecycle.ts'
import { runDemoTraffic } from '../../../server/src/cli/demo-traffic.ts'
import { DASHBOARD_DIST } from '../../../server/src/http/web.ts'
import {
  ADMIN_PASSWORD,
  api,
  eventually,
  PROJECT_KEY,
  startTestLeash,
  type TestLeash,
} from '../../../server/test/support/leash.ts'

const CHROMIUM = '/usr/bin/chromium'
const TRAFFIC = 40

/**
 * Every dashboard page in real Chromium against a real Leash that served real demo traffic (openai
 * client through the gateway). The alert evaluator is off in the background and run once here, so the
 * test decides when the alert fires.
 */
describe('dashboard pages in a real browser', () => {
  let leash: TestLeash
  let browser: Browser
  let context: BrowserContext
  let tab: Page
  /** Console errors and uncaught exceptions of every page, checked at the end. */
  const problems: string[] = []
  /** Errors a step provokes on purpose (Chromium logs every 4xx response), e.g. a rejected save. */
  let expected: RegExp | null = null
  let alertId = ''

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
      throw new Error('dashboard/dist is missing: run `npm run build` (npm test does it first)')
    }
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`)
    leash = await startTestLeash({ mode: 'embedded', env: { LEASH_ALERTS_ENABLED: 'false' } })
    const [, b] = await Promise.all([
      runDemoTraffic({ baseUrl: leash.url, apiKey: PROJECT_KEY, count: TRAFFIC, concurrency: 20, seed: 11 }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-quic',
        ],
      }),
    ])
    browser = b
    await eventually(async () => {
      const { body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=200')
      const scored = body.items.filter((i) => 'refusal' in i.scores).length
      return body.total === TRAFFIC && scored === TRAFFIC ? true : undefined
    }, 15_000)

    // Log in through the API inside the browser context: every page load below is authenticated.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: leash.url })
    const login = await context.request.post('/api/auth/login', {
      data: { email: 'admin@leash.local', password: ADMIN_PASSWORD },
    })
    expect(login.status()).toBe(200)
    tab = await context.newPage()
    tab.on('console', (m) => {
      const line = `console: ${m.text()} (${m.location().url})`
      if (m.type() === 'error' && !expected?.test(line)) problems.push(line)
    })
    tab.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    tab.on('dialog', (d) => void d.accept())
  }, 45_000)

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await leash?.stop()
  })

  it('navigates every page from the menu, with addressable URLs', async () => {
    await tab.goto('/')
    await tab.getByTestId('exchanges-table').waitFor()
    const pages: Array<[string, string, string]> = [
      ['nav-metrics', '/metrics', 'metric-chart'],
      ['nav-alerts', '/alerts', 'alerts-tab-firing'],
      ['nav-reports', '/reports', 'report-toolbar'],
      ['nav-settings', '/settings', 'settings-json'],
      ['nav-system', '/system', 'ingest-status'],
      ['nav-overview', '/', 'exchanges-table'],
    ]
    for (const [nav, pathname, content] of pages) {
      await tab.getByTestId(nav).click()
      await tab.getByTestId(content).first().waitFor()
      expect(new URL(tab.url()).pathname).toBe(pathname)
      expect(await tab.getByTestId(nav).getAttribute('aria-current')).toBe('page')
    }
    // A deep link loads directly (SPA fallback) and the back button walks the history.
    await tab.goto('/alerts/rules')
    await tab.getByTestId('rules-table').waitFor()
    await tab.goBack()
    await tab.getByTestId('exchanges-table').waitFor()
    await tab.goto('/no-such-page')
    await tab.getByTestId('not-found').waitFor()
  })

  it('shows the safety panel on the overview', async () => {
    await tab.goto('/?range=1h')
    await tab.getByTestId('safety-panel').waitFor()
    for (const name of ['refusal_rate', 'false_refusal_rate', 'violation_rate', 'reward_mean']) {
      await tab.getByTestId(`safety-${name}`).waitFor()
    }
    await expect
      .poll(() => tab.getByTestId('safety-refusal_rate').textContent(), { timeout: 10_000 })
      .toMatch(/\d+(\.\d+)?%|insufficient data/)
  })

  it('marks a metric whose scorer misses its accuracy bar on unseen data, with the figure in a tooltip', async () => {
    const card = JSON.parse(
      fs.readFileSync(path.resolve(import.meta.dirname, '../../../server/models/card.json'), 'utf8'),
    ) as { scorers: Record<string, { barMet: boolean | null; misses: Array<{ dataset: string }> }> }
    const citation = card.scorers.citation_support
    await tab.goto('/metrics?metric=citation_support_rate&range=1h')
    await tab.getByTestId('metric-definition').waitFor()
    const badge = tab.getByTestId('metric-definition').getByTestId('accuracy-badge')
    if (citation?.barMet === false) {
      await badge.waitFor()
      expect(await badge.textContent()).toBe('below its accuracy bar on unseen data')
      const title = (await badge.getAttribute('title')) ?? ''
      expect(title).toContain(citation.misses[0]?.dataset ?? '?')
      expect(title).toMatch(/bar >= \d/)
    } else {
      await tab.waitForTimeout(1000)
      expect(await badge.count()).toBe(0)
    }
    // The overview's safety panel carries the same mark.
    if (card.scorers.false_refusal?.barMet === false) {
      await tab.goto('/?range=1h')
      await tab.getByTestId('safety-false_refusal_rate').getByTestId('accuracy-badge').waitFor()
    }
    // A count has no scorer behind it: no badge.
    await tab.goto('/metrics?metric=requests&range=1h')
    await tab.getByTestId('metric-definition').waitFor()
    await tab.waitForTimeout(1000)
    expect(await tab.getByTestId('metric-definition').getByTestId('accuracy-badge').count()).toBe(0)
  })

  it('shows a slice below the minimum sample size as insufficient data, not as 0', async () => {
    // 40 calls over two models: the quieter model has at most 20, below refusal_rate's minimum of 30.
    const { body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=200')
    const perModel = new Map<string, number>()
    for (const i of body.items) perModel.set(i.model, (perModel.get(i.model) ?? 0) + 1)
    const [quiet, n] = [...perModel.entries()].sort((a, b) => a[1] - b[1])[0] ?? ['', 0]
    expect(n).toBeGreaterThan(0)
    expect(n).toBeLessThan(30)
    await tab.goto(`/metrics?metric=refusal_rate&range=24h&step=3600&model=${encodeURIComponent(quiet)}`)
    await expect
      .poll(() => tab.getByTestId('metric-insufficient').textContent(), { timeout: 10_000 })
      .toContain('insufficient data')
    const summary = (await tab.getByTestId('series-summary').locator('tbody').textContent()) ?? ''
    expect(summary).toContain('no bucket with enough samples')
    expect(summary).not.toMatch(/\d%/)
  })

  it('draws a metric series with its formula, unit and minimum samples', async () => {
    // `requests` has no minimum sample size, so its line is drawn whatever the bucket boundaries.
    await tab.goto('/metrics?metric=requests&range=1h&step=300')
    await tab.getByTestId('metric-definition').waitFor()
    const line = tab.getByTestId('metric-chart').locator('path.recharts-line-curve')
    await expect
      .poll(async () => ((await line.first().getAttribute('d')) ?? '').length, { timeout: 10_000 })
      .toBeGreaterThan(0)
    // Samples behind the series = every exchange sent.
    await expect
      .poll(() => tab.getByTestId('series-summary').locator('tbody tr td').nth(3).textContent())
      .toBe(String(TRAFFIC))

    // A rate: Wilson interval, % unit, 30 samples minimum; a value or "insufficient", never a bare 0.
    await tab.getByTestId('metric-select').selectOption('refusal_rate')
    await expect.poll(() => new URL(tab.url()).searchParams.get('metric')).toBe('refusal_rate')
    expect(await tab.getByTestId('metric-formula').textContent()).toContain('Wilson')
    expect(await tab.getByTestId('metric-unit').textContent()).toContain('%')
    expect(await tab.getByTestId('metric-min-samples').textContent()).toContain('30')
    await expect
      .poll(() => tab.getByTestId('series-summary').textContent(), { timeout: 10_000 })
      .toMatch(/\d+(\.\d+)?% \[\d+(\.\d+)?% – \d+(\.\d+)?%\]|no bucket with enough samples/)

    // Group by model: one series per model, picked through the UI.
    await tab.getByTestId('groupby-select').selectOption('model')
    await expect.poll(() => new URL(tab.url()).searchParams.get('groupBy')).toBe('model')
    await expect
      .poll(() => tab.getByTestId('series-summary').locator('tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThan(1)
  })

  it('acknowledges and resolves a firing alert from the incident page', async () => {
    const rule = await api<{ id: string }>(leash, '/api/alert-rules', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Demo refusals above 1%',
        spec: { kind: 'threshold', metric: 'refusal_rate', op: '>', value: 0.01 },
        // The traffic above is seconds old; a minute covers it even on a slow machine.
        window: '1m',
        interval: '10s',
        minSamples: 10,
        severity: 'critical',
      }),
    })
    expect(rule.status).toBe(201)
    const results = await evaluateOnce(
      {
        db: leash.postgres.db,
        source: clickHouseSource(leash.clickhouse),
        log: () => {},
        config: { ...DEFAULT_LIFECYCLE, publicUrl: leash.url },
      },
      Date.now(),
      { ruleIds: [rule.body.id] },
    )
    expect(results[0]?.error).toBeNull()
    expect(results[0]?.instances.map((i) => i.state)).toContain('Firing')

    await tab.goto('/alerts')
    await tab.getByTestId('alert-row').first().waitFor()
    await tab.getByTestId('alert-link').filter({ hasText: 'Demo refusals above 1%' }).click()
    await tab.getByTestId('alert-evidence').waitFor()
    alertId = new URL(tab.url()).pathname.split('/').pop() ?? ''
    expect(await tab.getByTestId('evidence-value').textContent()).toMatch(/\d+(\.\d+)?%.*n=\d+/)
    expect(await tab.getByTestId('evidence-threshold').textContent()).toContain('above 1%')
    expect(await tab.getByTestId('evidence-examples').locator('li').count()).toBeGreaterThan(0)
    expect(await tab.getByTestId('alert-state').first().textContent()).toBe('firing')

    await tab.getByTestId('alert-ack').click()
    await expect.poll(() => tab.getByTestId('alert-state').first().textContent()).toBe('acknowledged')
    await expect
      .poll(() => tab.getByTestId('alert-timeline').textContent())
      .toContain('acknowledged by admin@leash.local')
    const acked = await api<{ state: string }>(leash, `/api/alerts/${alertId}`)
    expect(acked.body.state).toBe('acknowledged')

    // Resolve needs a note: the UI says so before calling the API.
    await tab.getByTestId('alert-resolve').click()
    await expect.poll(() => tab.getByTestId('alert-action-error').textContent()).toContain('needs a note')
    await tab.getByTestId('alert-resolve-note').fill('Demo traffic refuses on purpose.')
    await tab.getByTestId('alert-resolve').click()
    await expect.poll(() => tab.getByTestId('alert-state').first().textContent()).toBe('resolved')
    await tab.goto('/alerts?state=resolved')
    await expect.poll(() => tab.getByTestId('alerts-table').textContent()).toContain('Demo refusals above 1%')
  })

  it('creates, rejects and deletes alert rules from the form', async () => {
    await tab.goto('/alerts/rules')
    await tab.getByTestId('rules-table').waitFor()
    const before = await tab.getByTestId('rule-row').count()
    await tab.getByTestId('rule-new').click()
    await tab.getByTestId('rule-name').fill('Violations above 2%')
    await tab.getByTestId('rule-metric').fill('violation_rate')
    await tab.getByTestId('rule-value').fill('0.02')
    await tab.getByTestId('rule-window').fill('5x')
    await tab.getByTestId('rule-save').click()
    await expect.poll(() => tab.getByTestId('rule-issues').textContent()).toContain('window')
    await tab.getByTestId('rule-window').fill('10m')
    await tab.getByTestId('rule-save').click()
    await expect.poll(() => tab.getByTestId('rule-row').count()).toBe(before + 1)
    const row = tab.getByTestId('rule-row').filter({ hasText: 'Violations above 2%' })
    expect(await row.textContent()).toContain('violation_rate > 0.02')
    await row.getByTestId('rule-delete').click()
    await expect.poll(() => tab.getByTestId('rule-row').count()).toBe(before)
  })

  it('shows validation errors when saving bad settings, and saves good ones', async () => {
    await tab.goto('/settings')
    const editor = tab.getByTestId('settings-json')
    await editor.waitFor()
    await editor.fill('{ "retentionDays": 30,')
    await tab.getByTestId('settings-save').click()
    await expect.poll(() => tab.getByTestId('settings-error').textContent()).toContain('Invalid JSON')

    await editor.fill('{ "retentionDays": 0 }')
    expected = /status of 400 .*\/api\/projects\/default\/settings/
    await tab.getByTestId('settings-save').click()
    // The message is the API's (400), naming the field.
    await expect.poll(() => tab.getByTestId('settings-error').textContent()).toContain('retentionDays')
    expected = null

    await tab.getByTestId('settings-retention').fill('30')
    await tab.getByTestId('settings-form-save').click()
    await tab.getByTestId('settings-form-saved').waitFor()
    const saved = await api<{ settings: { retentionDays: number } }>(leash, '/api/projects/default/settings')
    expect(saved.body.settings.retentionDays).toBe(30)
    await expect.poll(async () => (await editor.inputValue()).includes('"retentionDays": 30')).toBe(true)
  })

  it('shows ingest status refreshed every 5 s', async () => {
    await tab.goto('/system')
    await tab.getByTestId('ingest-status').waitFor()
    expect(await tab.getByTestId('ingest-written').textContent()).toContain(String(TRAFFIC))
    for (const id of ['ingest-spool-depth', 'ingest-oldest-age', 'ingest-insert-rate', 'ingest-errors']) {
      expect(((await tab.getByTestId(id).textContent()) ?? '').length).toBeGreaterThan(0)
    }
    await expect.poll(() => tab.getByTestId('updated-ago').textContent()).toMatch(/updated \ds ago/)
  })

  it("renders this week's drift report with its downloads", async () => {
    await tab.goto('/reports')
    await tab.getByTestId('report-this-week').click()
    await tab.getByTestId('report-slice').first().waitFor({ timeout: 20_000 })
    expect(await tab.getByTestId('report-week-label').textContent()).toMatch(/\d{4}-W\d{2}/)
    // Every catalog metric of the slice is a row, this week's value next to last week's.
    const table = tab.getByTestId('report-table').first()
    expect(await table.textContent()).toContain('refusal_rate')
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(10)
    const href = (await tab.getByTestId('report-md').getAttribute('href')) ?? ''
    expect(href).toContain('format=md')
    const md = await context.request.get(href)
    expect(md.status()).toBe(200)
    expect(md.headers()['content-type']).toContain('text/markdown')
  })

  it('logged no console error and threw no exception on any page', () => {
    expect(problems).toEqual([])
  })

  it("opens one exchange whole from the overview and from an alert's evidence", async () => {
    const before = problems.length
    // From the overview: expand the newest row, follow its "open" link.
    const page = await api<ExchangesPage>(leash, '/api/exchanges?limit=1')
    const newest = page.body.items[0]
    if (!newest) throw new Error('no exchange')
    await tab.goto('/')
    await tab.getByTestId('exchange-row').first().click()
    await tab.getByTestId('exchange-open').click()
    await tab.getByTestId('exchange-page').waitFor()
    expect(new URL(tab.url()).pathname).toBe(`/exchanges/${newest.id}`)
    const response = (await tab.getByTestId('exchange-response').textContent()) ?? ''
    // A tool-call answer has no text: the page shows the calls instead of "(empty)".
    const firstCall = newest.toolCalls[0]
    const shown = newest.responseText.slice(0, 60) || (firstCall ? `→ ${firstCall.name}(` : '(empty)')
    expect(response).toContain(shown)
    const scores = tab.getByTestId('exchange-scores')
    expect(await scores.getByTestId('score-row').count()).toBeGreaterThan(0)
    expect(await scores.textContent()).toContain('refusal')
    expect(await tab.getByTestId('exchange-facts').textContent()).toContain(newest.model)

    // From the incident page: the evidence example's event id is a link to its exchange.
    if (alertId) {
      await tab.goto(`/alerts/${alertId}`)
      const link = tab.getByTestId('evidence-example-link').first()
      const eventId = (await link.textContent()) ?? ''
      await link.click()
      await tab.getByTestId('exchange-page').waitFor()
      expect(await tab.getByTestId('exchange-id').textContent()).toBe(eventId)
      expect(await tab.getByTestId('exchange-scores').getByTestId('score-row').count()).toBeGreaterThan(0)
    }

    // An id the project does not have: a clear "not found", not an error.
    expected = /status of 404 .*\/api\/exchanges\//
    await tab.goto(`/exchanges/${newest.id.slice(0, 24)}000000000000`)
    await tab.getByTestId('exchange-not-found').waitFor()
    expected = null
    expect(problems.slice(before)).toEqual([])
  })
})
