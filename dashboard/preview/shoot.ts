// Preview harness only: logs in against fake-api.ts in Chromium and saves screenshots to preview/out/.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const base = process.argv[2] ?? 'http://127.0.0.1:5174'
const out = join(import.meta.dirname, 'out')
await mkdir(out, { recursive: true })
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
page.on('console', (m) => console.log(`[console.${m.type()}] ${m.text()}`))
page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`))
await page.goto(base)
await page.getByTestId('login-form').waitFor()
await page.getByTestId('login-password').fill('wrong')
await page.getByTestId('login-submit').click()
console.log('login error:', await page.getByTestId('login-error').textContent())
await page.screenshot({ path: join(out, 'login.png') })
await page.getByTestId('login-password').fill('secret')
await page.getByTestId('login-submit').click()
await page.getByTestId('chart-requests').waitFor()
await page.waitForTimeout(800)
console.log('requests tile:', await page.getByTestId('stat-requests').textContent())
console.log('rows:', await page.getByTestId('exchange-row').count())
console.log('bars:', await page.locator('[data-testid=chart-requests] .recharts-bar-rectangle').count())
await page.screenshot({ path: join(out, 'overview.png'), fullPage: true })
await page.getByTestId('exchange-row').first().click()
await page.screenshot({ path: join(out, 'expanded.png'), fullPage: true })
await page.getByTestId('logout').click()
await page.getByTestId('login-form').waitFor()
console.log('logged out ok')
await browser.close()
