import fs from 'node:fs'
import path from 'node:path'
import type { ExchangeDetail, ExchangesPage } from '@leash/shared'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clickHouseSource } from '../../../server/src/alerts/clickhouse-source.ts'
import { evaluateOnce } from '../../../server/src/alerts/evaluator.ts'
import { DEFAULT_LIFECYCLE, type LifecycleConfig } from '../../../server/src/alerts/lifecycle.ts'
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
import { type Receiver, startReceiver } from '../../../server/test/support/receivers.ts'

const CHROMIUM = '/usr/bin/chromium'
const TRAFFIC = 60
const SHOTS = path.resolve(import.meta.dirname, '../../../docs/screenshots')
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
]

/**
 * The on-call flow in real Chromium against a real Leash that served over-refusing demo traffic: find one
 * feature's false refusals in the explorer, open a firing alert and its chart, acknowledge, resolve while it
 * still fires and watch it re-open, add a webhook channel and test it, the same alert flow at 390 px, and a
 * screenshot of every page in docs/screenshots/.
 */
describe('on-call flow in a real browser', () => {
  let leash: TestLeash
  let rx: Receiver
  let browser: Browser
  let context: BrowserContext
  let tab: Page
  const problems: string[] = []
  let alertId = ''
  let ruleId = ''

  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`)
    })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('dialog', (d) => void d.accept())
  }
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
  const evaluate = (config: Partial<LifecycleConfig> = {}) =>
    evaluateOnce(
      {
        db: leash.postgres.db,
        source: clickHouseSource(leash.clickhouse, leash.postgres.db),
        log: () => {},
        config: { ...DEFAULT_LIFECYCLE, publicUrl: leash.url, ...config },
      },
      Date.now(),
      { ruleIds: [ruleId] },
    )

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
      throw new Error('dashboard/dist is missing: run `npm run build` (npm test does it first)')
    }
    fs.mkdirSync(SHOTS, { recursive: true })
    rx = await startReceiver()
    leash = await startTestLeash({ mode: 'embedded', env: { LEASH_ALERTS_ENABLED: 'false' } })
    const [, b] = await Promise.all([
      runDemoTraffic({
        baseUrl: leash.url,
        apiKey: PROJECT_KEY,
        count: TRAFFIC,
        concurrency: 12,
        seed: 21,
        scenario: 'over-refusal',
        shiftAt: 0,
      }),
      chromium.launch({ executablePath: CHROMIUM, args: ARGS }),
    ])
    browser = b
    await eventually(async () => {
      const { body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=1&score.false_refusal=gte:0')
      return body.total >= TRAFFIC * 0.9 ? true : undefined
    }, 60_000)
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: leash.url })
    const login = await context.request.post('/api/auth/login', {
      data: { email: 'admin@leash.local', password: ADMIN_PASSWORD },
    })
    expect(login.status()).toBe(200)
    tab = await context.newPage()
    watch(tab)
  }, 120_000)

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await leash?.stop()
    await rx?.close()
  })

  it("filters the explorer to one feature's false refusals and opens one", async () => {
    const all = await api<ExchangesPage>(leash, '/api/exchanges?limit=1&score.false_refusal=gte:0.5')
    const first = all.body.items[0]
    if (!first) throw new Error('the over-refusal traffic produced no false refusal')
    const detail = await api<ExchangeDetail>(leash, `/api/exchanges/${first.id}`)
    const feature = detail.body.tags.feature

    await tab.goto('/exchanges')
    // The explorer pins an absolute window into the URL at once.
    await expect.poll(() => new URL(tab.url()).searchParams.get('from')).toMatch(/^\d{4}-\d\d-\d\dT/)
    await tab.getByTestId('filter-feature').fill(feature)
    await tab.getByTestId('filter-feature').press('Enter')
    await tab.getByTestId('preset-false-refusals').click()
    const params = () => new URL(tab.url()).searchParams
    await expect.poll(() => params().get('score.false_refusal')).toBe('gte:0.5')
    expect(params().get('feature')).toBe(feature)
    const to = params().get('to') ?? ''
    expect(Date.parse(to)).toBeGreaterThan(Date.now() - 120_000)

    // The page shows what the API says for the same query string.
    const q = new URLSearchParams(params())
    q.delete('offset')
    q.set('limit', '50')
    const want = await api<ExchangesPage>(leash, `/api/exchanges?${q.toString()}`)
    expect(want.body.total).toBeGreaterThan(0)
    await expect
      .poll(() => tab.getByTestId('exchange-row').count(), { timeout: 30_000 })
      .toBe(Math.min(50, want.body.total))
    await expect
      .poll(() => tab.getByTestId('exchanges-range').textContent())
      .toContain(`of ${want.body.total}`)
    await shot(tab, 'exchanges-explorer')

    // The link is the query: a fresh tab on the same URL shows the same rows.
    const again = await context.newPage()
    watch(again)
    await again.goto(tab.url())
    await expect
      .poll(() => again.getByTestId('exchange-row').count(), { timeout: 30_000 })
      .toBe(Math.min(50, want.body.total))
    await again.close()

    await tab.getByTestId('exchange-row').first().click()
    await tab.getByTestId('exchange-open').click()
    await tab.getByTestId('exchange-page').waitFor()
    expect(new URL(tab.url()).pathname).toBe(`/exchanges/${want.body.items[0]?.id}`)
    expect(await tab.getByTestId('exchange-facts').textContent()).toContain(feature)
    expect(await tab.getByTestId('exchange-scores').textContent()).toContain('false_refusal')
    await tab.getByTestId('exchange-feedback').waitFor()
    await shot(tab, 'exchange')

    // Its session, turn by turn, as the API lists it in time order.
    const session = detail.body.tags.session
    const turns = await api<ExchangesPage>(
      leash,
      `/api/exchanges?session=${encodeURIComponent(session)}&sort=time`,
    )
    await tab.goto(`/exchanges/${first.id}`)
    await tab.getByTestId('exchange-session-link').click()
    await tab.getByTestId('session-page').waitFor()
    await expect
      .poll(() => tab.getByTestId('session-turn').count(), { timeout: 30_000 })
      .toBe(turns.body.total)
    await tab.getByTestId('session-context-growth').waitFor()
    await shot(tab, 'session')
  })

  it('opens a firing alert with its chart, acknowledges, resolves while it still fires and sees it re-open', async () => {
    const rule = await api<{ id: string }>(leash, '/api/alert-rules', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Over-refusal: refusals above 5%',
        spec: { kind: 'threshold', metric: 'refusal_rate', op: '>', value: 0.05, clear: 0.03 },
        window: '5m',
        interval: '10s',
        minSamples: 10,
        severity: 'critical',
      }),
    })
    expect(rule.status).toBe(201)
    ruleId = rule.body.id
    const results = await evaluate()
    expect(results[0]?.instances.map((i) => i.state)).toContain('Firing')

    await tab.goto('/')
    await tab.getByTestId('incident-banner').waitFor()
    expect(await tab.getByTestId('incident-banner').textContent()).toContain(
      'Over-refusal: refusals above 5%',
    )
    await tab.getByTestId('exchanges-table').waitFor()
    await expect
      .poll(() => tab.getByTestId('safety-refusal_rate').textContent(), { timeout: 15_000 })
      .toMatch(/latest .* bucket/)
    await shot(tab, 'overview')

    await tab.getByTestId('incident-banner-link').first().click()
    await tab.getByTestId('alert-evidence').waitFor()
    alertId = new URL(tab.url()).pathname.split('/').pop() ?? ''
    const chart = tab.getByTestId('alert-chart')
    await chart.locator('.recharts-surface').first().waitFor()
    await expect.poll(() => chart.textContent()).toContain('threshold 5%')
    expect(await chart.textContent()).toContain('firing')
    // No labels in this project: the evidence says its rate is the scorer's raw one.
    expect(await tab.getByTestId('evidence-estimate').textContent()).toBe('raw')
    // Examples: prompt and response side by side.
    await expect
      .poll(() => tab.getByTestId('evidence-example-prompt').first().textContent(), { timeout: 10_000 })
      .not.toBe('…')
    await tab.getByTestId('evidence-example-response').first().waitFor()
    await shot(tab, 'alert')

    await tab.getByTestId('alert-ack').click()
    await expect.poll(() => tab.getByTestId('alert-state').first().textContent()).toBe('acknowledged')
    await tab.getByTestId('alert-resolve-note').fill('Looks like noise.')
    await tab.getByTestId('alert-resolve').click()
    await expect.poll(() => tab.getByTestId('alert-state').first().textContent()).toBe('resolved')
    await tab.getByTestId('alert-resolved-firing').waitFor()
    expect(await tab.getByTestId('alert-timeline').textContent()).toContain('re-opens as regressed')

    // The rule still fires: after the grace (none here) the next evaluation re-opens it as regressed.
    await evaluate({ reopenGraceMs: 0 })
    await tab.reload()
    await expect.poll(() => tab.getByTestId('alert-state').first().textContent()).toBe('firing')
    expect(await tab.getByTestId('alert-timeline').textContent()).toContain(
      'resolved by hand but still firing',
    )
    const listed = await api<{ items: Array<{ id: string }> }>(leash, '/api/alerts?state=firing')
    expect(listed.body.items.map((a) => a.id)).toContain(alertId)
  })

  it('creates a webhook channel in the UI and sends a test to a loopback receiver', async () => {
    await tab.goto('/alerts/rules')
    await tab.getByTestId('channel-form').waitFor()
    await tab.getByTestId('channel-name').fill('loopback')
    await tab.getByTestId('channel-url').fill(`${rx.url}/leash`)
    await tab.getByTestId('channel-secret').fill('whsec_browser_test_0001')
    await tab.getByTestId('channel-create').click()
    const row = tab.getByTestId('channel-row').filter({ hasText: 'loopback' })
    await row.waitFor()
    expect(await row.textContent()).not.toContain('whsec_browser_test_0001')
    await row.getByTestId('channel-test').click()
    await expect.poll(() => row.getByTestId('channel-test-result').textContent()).toContain('test delivered')
    const got = rx.received.find((r) => r.path === '/leash')
    expect(got?.raw).toContain('Test notification from Leash')
    await expect.poll(() => row.getByTestId('channel-deliveries').textContent()).toContain('1 delivered')
    await shot(tab, 'rules-and-channels')
  })

  it('runs the alert flow at 390 px: list, alert page, acknowledge and snooze', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      baseURL: leash.url,
    })
    try {
      await phone.request.post('/api/auth/login', {
        data: { email: 'admin@leash.local', password: ADMIN_PASSWORD },
      })
      const p = await phone.newPage()
      watch(p)
      const fits = async () => p.evaluate<number>('document.documentElement.scrollWidth')
      await p.goto('/alerts')
      await p.getByTestId('alert-row').first().waitFor()
      expect(await fits()).toBeLessThanOrEqual(390)
      // The row's state is on screen without scrolling sideways.
      const state = await p.getByTestId('alert-row').first().getByTestId('alert-state').boundingBox()
      expect(state && state.x + state.width <= 390).toBe(true)
      await shot(p, 'phone-alerts')
      await p.goto(`/alerts/${alertId}`)
      const ack = p.getByTestId('alert-ack')
      await ack.waitFor()
      expect(await fits()).toBeLessThanOrEqual(390)
      const box = await ack.boundingBox()
      expect(box && box.x >= 0 && box.x + box.width <= 390 && box.height >= 40).toBe(true)
      await ack.click()
      await expect.poll(() => p.getByTestId('alert-state').first().textContent()).toBe('acknowledged')
      await expect
        .poll(() => p.getByTestId('evidence-example-prompt').first().textContent(), { timeout: 10_000 })
        .not.toBe('…')
      await p.getByTestId('alert-snooze-for').selectOption('1h')
      await p.getByTestId('alert-snooze').click()
      await expect
        .poll(() => p.getByTestId('alert-timeline').textContent())
        .toMatch(/snoozed by .* until \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
      await shot(p, 'phone-alert')
    } finally {
      await phone.close()
    }
  })

  it('takes a screenshot of every other page', async () => {
    const pages: Array<[string, string, string]> = [
      ['/metrics?metric=false_refusal_rate&range=1h', 'metric-chart', 'metrics'],
      ['/alerts?state=acknowledged', 'alerts-table', 'alerts'],
      ['/reports', 'report-toolbar', 'reports'],
      ['/settings', 'settings-json', 'settings'],
      ['/system', 'ingest-status', 'system'],
    ]
    for (const [url, testId, name] of pages) {
      await tab.goto(url)
      await tab.getByTestId(testId).first().waitFor()
      await shot(tab, name)
    }
    expect(fs.readdirSync(SHOTS).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(11)
  })

  it('logged no console error and threw no exception on any page', () => {
    expect(problems).toEqual([])
  })
})
