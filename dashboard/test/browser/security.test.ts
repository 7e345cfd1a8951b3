import fs from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { ExchangesPage } from '@leash/shared'
import { eq } from 'drizzle-orm'
import OpenAI from 'openai'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alertRules, incidents } from '../../../server/src/db/postgres/index.ts'
import { DASHBOARD_DIST } from '../../../server/src/http/web.ts'
import {
  ADMIN_PASSWORD,
  api,
  eventually,
  PROJECT_KEY,
  startTestLeash,
  type TestLeash,
} from '../../../server/test/support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../../../server/test/support/upstream.ts'

const CHROMIUM = '/usr/bin/chromium'
const HOSTILE =
  '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">' +
  '<a href="javascript:window.__pwned=3">click</a> [md](javascript:window.__pwned=4)'

/**
 * The dashboard as an attacker probes it, in real Chromium: a page on a second loopback origin
 * (another port: same site, so SameSite alone would not stop it) tries to act with the admin's
 * cookie and to frame the dashboard; hostile model output must render as text.
 */
describe('the dashboard resists the web', () => {
  let leash: TestLeash
  let upstream: TestUpstream
  let browser: Browser
  let context: BrowserContext
  let tab: Page
  let evil: Server
  let evilUrl: string
  let evilPage = ''
  let incidentId: string

  const incidentState = async () =>
    (await leash.postgres.db.select().from(incidents).where(eq(incidents.id, incidentId)))[0]?.state

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DASHBOARD_DIST, 'index.html')))
      throw new Error('dashboard/dist is missing: run `npm run build` (npm test does it first)')
    upstream = await startTestUpstream()
    leash = await startTestLeash({
      mode: 'embedded',
      upstreamUrl: upstream.baseUrl,
      env: { LEASH_ALERTS_ENABLED: 'false' },
    })
    const [rule] = await leash.postgres.db.select().from(alertRules).limit(1)
    if (!rule) throw new Error('no default rule')
    const [inc] = await leash.postgres.db
      .insert(incidents)
      .values({
        projectId: rule.projectId,
        ruleId: rule.id,
        fingerprint: 'csrf-test',
        severity: 'critical',
        startedAt: new Date(Date.now() - 60_000),
      })
      .returning()
    incidentId = inc?.id ?? ''
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(evilPage)
    })
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r))
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`
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
    context = await browser.newContext()
    tab = await context.newPage()
    await tab.goto(`${leash.url}/`)
    await tab.getByTestId('login-email').fill('admin@leash.local')
    await tab.getByTestId('login-password').fill(ADMIN_PASSWORD)
    await tab.getByTestId('login-submit').click()
    await tab.getByTestId('logout').waitFor()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await new Promise((r) => evil?.close(r))
    await leash?.stop()
    await upstream?.close()
  })

  it('refuses a cross-origin form POST that would acknowledge an alert', async () => {
    expect(await incidentState()).toBe('open')
    const target = `${leash.url}/api/alerts/${incidentId}/ack?project=default`
    evilPage = `<form id=f method=POST action="${target}"><input name=x value=1></form><script>f.submit()</script>`
    const attacker = await context.newPage()
    const answer = attacker.waitForResponse((r) => r.url() === target)
    await attacker.goto(evilUrl)
    expect((await answer).status()).toBe(403)
    // A credentialed no-cors fetch from the same page is refused too.
    evilPage = `<script>fetch(${JSON.stringify(target)}, {method:'POST', mode:'no-cors', credentials:'include'})</script>`
    const second = attacker.waitForResponse((r) => r.url() === target)
    await attacker.goto(evilUrl)
    expect((await second).status()).toBe(403)
    expect(await incidentState()).toBe('open')
    await attacker.close()
  })

  it('still lets the dashboard itself acknowledge it (same origin, same cookie)', async () => {
    const status = await tab.evaluate(async (url) => {
      const res = await fetch(url, { method: 'POST', credentials: 'same-origin' })
      return res.status
    }, `/api/alerts/${incidentId}/ack?project=default`)
    expect(status).toBe(200)
    expect(await incidentState()).toBe('acknowledged')
  })

  it('cannot be framed by another site', async () => {
    evilPage = `<iframe id=frame src="${leash.url}/"></iframe>`
    const attacker = await context.newPage()
    await attacker.goto(evilUrl)
    await attacker.waitForTimeout(1_000)
    const child = attacker.frames().find((f) => f !== attacker.mainFrame())
    const framed = child
      ? await child.locator('[data-testid="logout"], [data-testid="login-form"]').count()
      : 0
    expect(framed).toBe(0)
    await attacker.close()
  })

  it('renders <script>, onerror and javascript: links in model output as inert text', async () => {
    const client = new OpenAI({ baseURL: `${leash.url}/v1`, apiKey: PROJECT_KEY, maxRetries: 0 })
    const out = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: HOSTILE }],
    })
    expect(out.choices[0]?.message.content).toContain('<script>')
    const id = await eventually(async () => {
      await leash.pipeline.flush()
      const page = await api<ExchangesPage>(leash, '/api/exchanges?limit=5')
      return page.body.items[0]?.id
    }, 20_000)
    await tab.goto(`${leash.url}/exchanges/${id}`)
    await tab.getByTestId('exchange-response').waitFor()
    expect(await tab.getByTestId('exchange-response').textContent()).toContain(
      '<script>window.__pwned=1</script>',
    )
    await tab.waitForTimeout(500)
    expect(await tab.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await tab.locator('img[src="x"]').count()).toBe(0)
    expect(await tab.locator('a[href^="javascript:"]').count()).toBe(0)
    expect(await tab.locator('script:not([src])').count()).toBe(0)
  })

  it('manages keys on the Access page: shown once, listed with its creator, revoked, audited', async () => {
    await tab.goto(`${leash.url}/access`)
    const keys = tab.getByTestId('access-keys')
    await keys.getByTestId('keys-row').first().waitFor()
    const before = await keys.getByTestId('keys-row').count()
    await keys.getByPlaceholder('name').fill('browser key')
    await keys.getByRole('button', { name: 'Create key' }).click()
    const shown = (await tab.getByTestId('keys-shown').locator('code').textContent()) ?? ''
    expect(shown).toMatch(/^lsk_/)
    await expect.poll(() => keys.getByTestId('keys-row').count()).toBe(before + 1)
    const row = keys.getByTestId('keys-row').filter({ hasText: 'browser key' })
    expect(await row.textContent()).toContain('admin@leash.local')
    expect(await row.textContent()).not.toContain(shown)
    await row.getByRole('button', { name: 'Revoke' }).click()
    await expect.poll(() => row.textContent()).toContain('revoked')
    await tab.reload()
    const audit = tab.getByTestId('access-audit')
    await audit.getByTestId('audit-row').first().waitFor()
    const text = (await audit.textContent()) ?? ''
    expect(text).toContain('DELETE /api/projects/:project/keys/:id')
    expect(text).toContain('POST /api/projects/:project/keys')
  })
})
