import fs from 'node:fs'
import path from 'node:path'
import OpenAI from 'openai'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DemoModel, startDemoModel } from '../../../server/src/demo/model-server.ts'
import { SCENARIO_METADATA_KEY } from '../../../server/src/demo/scenario.ts'
import { DASHBOARD_DIST } from '../../../server/src/http/web.ts'
import {
  ADMIN_PASSWORD,
  api,
  PROJECT_KEY,
  startTestLeash,
  type TestLeash,
} from '../../../server/test/support/leash.ts'

const CHROMIUM = '/usr/bin/chromium'

/** The Leash panel in real Chromium: paired comparisons of the built-in demo model against a copy of itself. */
describe('Leash page in a real browser', () => {
  let leash: TestLeash
  let reference: DemoModel
  let browser: Browser

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DASHBOARD_DIST, 'index.html')))
      throw new Error('dashboard/dist is missing: run `npm run build` (npm test does it first)')
    reference = await startDemoModel({ latencyScale: 0, seed: 3 })
    leash = await startTestLeash({ mode: 'embedded', env: { LEASH_ALERTS_ENABLED: 'false' } })
    const { body } = await api<{ items: { id: string }[] }>(leash, '/api/projects')
    const projectId = body.items[0]?.id ?? ''
    const put = await api(leash, `/api/projects/${projectId}/settings`, {
      method: 'PUT',
      body: JSON.stringify({
        reference: { baseUrl: reference.baseUrl, model: 'leash-demo-mini', mode: 'paired', sampleRate: 1 },
      }),
    })
    expect(put.status).toBe(200)
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    for (let i = 0; i < 12; i++)
      await client.chat.completions.create({
        model: 'leash-demo-mini',
        messages: [{ role: 'user', content: `How do I keep basil alive on a windowsill? (${i})` }],
        metadata: { [SCENARIO_METADATA_KEY]: 'over-refusal' },
      })
    await leash.pipeline.flush()
    await leash.reference.idle()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await leash?.stop()
    await reference?.close()
  })

  it('shows the paired deltas, the sample counters and the answers side by side', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: leash.url })
    const login = await context.request.post('/api/auth/login', {
      data: { email: 'admin@leash.local', password: ADMIN_PASSWORD },
    })
    expect(login.status()).toBe(200)
    const tab = await context.newPage()
    const problems: string[] = []
    tab.on('pageerror', (e) => problems.push(e.message))
    await tab.goto('/leash')
    await tab.getByTestId('nav-leash').waitFor()
    await tab.getByTestId('leash-refusal-delta').waitFor({ timeout: 20_000 })
    expect(await tab.getByTestId('leash-refusal-delta').textContent()).toMatch(/n=12/)
    expect(await tab.getByTestId('leash-counters').textContent()).toMatch(/12 sampled, 12 compared, 0 failed/)
    expect(await tab.getByTestId('leash-pair-policy').count()).toBe(12)
    expect((await tab.getByTestId('leash-pair-reference').first().textContent())?.length).toBeGreaterThan(20)
    await tab.getByTestId('leash-series').waitFor()
    expect(problems).toEqual([])
    await context.close()
  }, 120_000)
})
