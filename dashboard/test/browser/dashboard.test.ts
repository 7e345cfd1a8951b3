import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ExchangesPage } from '@leash/shared'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

/** First run as a user sees it: no upstream (demo model), demo traffic, then the dashboard in Chromium. */
describe('first run: demo model, demo traffic, dashboard in a real browser', () => {
  let leash: TestLeash
  let browser: Browser

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
      throw new Error('dashboard/dist is missing: run `npm run build` (npm test does it first)')
    }
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`)
    leash = await startTestLeash({ mode: 'embedded' })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
      ],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await leash?.stop()
  })

  it('serves the labelled demo model when no upstream is configured', () => {
    expect(leash.upstream.demo).toBe(true)
  })

  it('records demo traffic with refusals among the answers', async () => {
    const summary = await runDemoTraffic({
      baseUrl: leash.url,
      apiKey: PROJECT_KEY,
      count: TRAFFIC,
      concurrency: 8,
      seed: 7,
    })
    expect(summary.sent).toBe(TRAFFIC)
    expect(summary.ok).toBe(TRAFFIC)
    const page = await eventually(async () => {
      const { body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=200')
      const scored = body.items.filter((i) => 'refusal' in i.scores)
      return body.total === TRAFFIC && scored.length === TRAFFIC ? body : undefined
    }, 10_000)
    const labels = new Set(page.items.map((i) => i.labels.refusal))
    expect(labels.has('none')).toBe(true)
    expect(labels.has('full') || labels.has('partial')).toBe(true)
    expect(new Set(page.items.map((i) => i.model)).size).toBeGreaterThan(1)
  })

  it('shows the traffic on the dashboard after login', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const tab = await context.newPage()
    const errors: string[] = []
    tab.on('pageerror', (e) => errors.push(e.message))
    await tab.goto(`${leash.url}/`)
    await tab.getByTestId('login-form').waitFor()
    await tab.getByTestId('login-email').fill('admin@leash.local')
    await tab.getByTestId('login-password').fill('wrong-password')
    await tab.getByTestId('login-submit').click()
    await expect.poll(() => tab.getByTestId('login-error').isVisible()).toBe(true)

    await tab.getByTestId('login-password').fill(ADMIN_PASSWORD)
    await tab.getByTestId('login-submit').click()
    await tab.getByTestId('exchanges-table').waitFor()
    await expect.poll(() => tab.getByTestId('exchange-row').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    await expect
      .poll(() => tab.getByTestId('stat-requests').textContent(), { timeout: 10_000 })
      .toContain(String(TRAFFIC))
    for (const chart of ['chart-requests', 'chart-refusal', 'chart-latency']) {
      await expect
        .poll(() => tab.getByTestId(chart).locator('svg path').count(), { timeout: 10_000 })
        .toBeGreaterThan(0)
    }
    await tab.screenshot({ path: path.join(os.tmpdir(), 'leash-dashboard.png'), fullPage: true })
    expect(errors).toEqual([])

    await tab.getByTestId('logout').click()
    await tab.getByTestId('login-form').waitFor()
    await context.close()
  })
})
