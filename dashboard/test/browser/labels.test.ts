import fs from 'node:fs'
import type { Server } from 'node:http'
import path from 'node:path'
import OpenAI from 'openai'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clickHouseSource } from '../../../server/src/alerts/clickhouse-source.ts'
import { evaluateOnce } from '../../../server/src/alerts/evaluator.ts'
import { DEFAULT_LIFECYCLE } from '../../../server/src/alerts/lifecycle.ts'
import { DASHBOARD_DIST } from '../../../server/src/http/web.ts'
import {
  ADMIN_PASSWORD,
  api,
  eventually,
  PROJECT_KEY,
  startTestLeash,
  type TestLeash,
} from '../../../server/test/support/leash.ts'
import { type Item, loadXstest, replayUpstream } from '../../../server/test/support/xstest.ts'

const CHROMIUM = '/usr/bin/chromium'

type Labels = { items: Array<{ eventId: string; values: Record<string, unknown>; sample: string }> }

/**
 * Labels in the dashboard, in real Chromium: 120 XSTest responses replayed through the gateway, half of
 * them labelled through the API; the metric page shows raw vs corrected with the labels used, and the
 * review page labels with one key and undoes.
 */
describe('labels in the dashboard', () => {
  const items = loadXstest()
    .filter((i) => i.model === 'gpt-4-xstest')
    .filter((_, i) => i % 3 === 0)
    .slice(0, 120)
  const eventOf = new Map<Item, string>()
  let leash: TestLeash
  let upstream: { url: string; server: Server }
  let browser: Browser
  let context: BrowserContext
  let tab: Page

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
      throw new Error('dashboard/dist is missing: run `npm run build` (npm test does it first)')
    }
    upstream = await replayUpstream(items)
    leash = await startTestLeash({
      mode: 'embedded',
      upstreamUrl: upstream.url,
      env: { LEASH_ALERTS_ENABLED: 'false' },
    })
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const queue = [...items]
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let it = queue.shift(); it; it = queue.shift()) {
          const { response } = await client.chat.completions
            .create({ model: it.model, messages: [{ role: 'user', content: it.prompt }] })
            .withResponse()
          eventOf.set(it, response.headers.get('x-leash-event-id') ?? '')
        }
      }),
    )
    await leash.pipeline.flush()
    await eventually(
      async () => {
        const r = await api<{ series: Array<{ points: Array<{ n: number }> }> }>(
          leash,
          `/api/metrics/series?metric=refusal_rate&from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}&step=86400`,
        )
        return r.body.series[0]?.points.reduce((s, p) => s + p.n, 0) === items.length ? true : undefined
      },
      60_000,
      300,
    )
    // Label every other exchange with its human label (a uniform share).
    for (const it of items.filter((_, i) => i % 2 === 0)) {
      const r = await api(leash, '/api/labels', {
        method: 'POST',
        body: JSON.stringify({
          eventId: eventOf.get(it),
          values: { refusal: it.refusal, prompt_harmful: it.harmful },
        }),
      })
      expect(r.status).toBe(201)
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: leash.url })
    const login = await context.request.post('/api/auth/login', {
      data: { email: 'admin@leash.local', password: ADMIN_PASSWORD },
    })
    expect(login.status()).toBe(200)
    tab = await context.newPage()
  }, 300_000)

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await leash?.stop()
    upstream?.server.close()
  })

  it('shows raw vs corrected, and the labels used, on the metric page', async () => {
    await tab.goto('/metrics?metric=refusal_rate&groupBy=model')
    const row = tab.locator('[data-testid="estimate-row"][data-estimate="corrected"]')
    await row.first().waitFor({ timeout: 30_000 })
    const text = (await row.first().textContent()) ?? ''
    expect(text).toContain('gpt-4-xstest')
    expect((await row.first().locator('td').nth(4).textContent())?.trim()).toBe('60') // labels used
    expect(text).toMatch(/\d+(\.\d+)?%.*\d+(\.\d+)?%/) // raw and corrected
  })

  it('labels with one key on the review page, and undoes', async () => {
    await tab.goto('/review?metric=refusal_rate')
    const card = tab.getByTestId('review-item')
    await card.waitFor({ timeout: 30_000 })
    const eventId = (await card.getAttribute('data-event')) ?? ''
    const labelled = new Set(items.filter((_, i) => i % 2 === 0).map((i) => eventOf.get(i)))
    expect(labelled.has(eventId)).toBe(false)
    await tab.keyboard.press('f')
    await expect
      .poll(
        async () =>
          (await api<Labels>(leash, `/api/labels?eventId=${eventId}`)).body.items[0]?.values.refusal,
      )
      .toBe('full')
    await expect.poll(() => tab.getByTestId('review-item').getAttribute('data-event')).not.toBe(eventId)
    await tab.keyboard.press('u')
    await expect
      .poll(async () => (await api<Labels>(leash, `/api/labels?eventId=${eventId}`)).body.items.length)
      .toBe(0)
    await expect.poll(() => tab.getByTestId('review-item').getAttribute('data-event')).toBe(eventId)
  })

  it("labels an incident's example response from the alert page (targeted), and undoes", async () => {
    const rule = await api<{ id: string }>(leash, '/api/alert-rules', {
      method: 'POST',
      body: JSON.stringify({
        name: 'XSTest refusals above 1%',
        spec: { kind: 'threshold', metric: 'refusal_rate', op: '>', value: 0.01 },
        window: '1h',
        interval: '10s',
        minSamples: 10,
        severity: 'warning',
      }),
    })
    expect(rule.status).toBe(201)
    const results = await evaluateOnce(
      {
        db: leash.postgres.db,
        source: clickHouseSource(leash.clickhouse, leash.postgres.db),
        log: () => {},
        config: { ...DEFAULT_LIFECYCLE, publicUrl: leash.url },
      },
      Date.now(),
      { ruleIds: [rule.body.id] },
    )
    expect(results[0]?.instances.map((i) => i.state)).toContain('Firing')
    await tab.goto('/alerts')
    await tab.getByTestId('alert-link').filter({ hasText: 'XSTest refusals above 1%' }).click()
    const example = tab.getByTestId('evidence-examples').locator('li').first()
    await example.waitFor({ timeout: 30_000 })
    const eventId = (await example.getByTestId('evidence-example-link').textContent())?.trim() ?? ''
    await example.getByRole('button', { name: 'refused' }).click()
    await expect.poll(() => example.getByTestId('label-buttons').getAttribute('data-saved')).toBe('full')
    const saved = await api<Labels>(leash, `/api/labels?eventId=${eventId}`)
    expect(saved.body.items[0]).toMatchObject({ values: { refusal: 'full' }, sample: 'targeted' })
    await example.getByRole('button', { name: 'undo' }).click()
    await expect
      .poll(async () => (await api<Labels>(leash, `/api/labels?eventId=${eventId}`)).body.items.length)
      .toBe(0)
  })
})
