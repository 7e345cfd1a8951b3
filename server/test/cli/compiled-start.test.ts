import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CHILD_ADMIN_TOKEN,
  CHILD_PROJECT_KEY,
  type LeashProcess,
  startLeashProcess,
} from '../support/leash-process.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What `npm start` runs once the build is done: the part of its script after the last `&&`. */
function startTail(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  const tail = pkg.scripts.start?.split('&&').pop()?.trim()
  if (!tail) throw new Error('package.json has no start script')
  return tail
}

/** Issue 15: `npm start` runs the compiled server with plain node, scoring threads included. */
describe('compiled start', () => {
  let upstream: TestUpstream
  let leash: LeashProcess
  beforeAll(async () => {
    // The same build `npm start` runs through turbo, so this file tests fresh output when run alone.
    const tsc = path.join(ROOT, 'node_modules/.bin/tsc')
    execFileSync(tsc, ['-p', 'shared/tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
    execFileSync(tsc, ['-p', 'server/tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
    upstream = await startTestUpstream()
    leash = await startLeashProcess({
      argv: ['sh', '-c', startTail()],
      env: {
        LEASH_UPSTREAM_URL: upstream.baseUrl,
        LEASH_UPSTREAM_API_KEY: 'sk-up',
        LEASH_SCORING_WORKERS: '1',
        LEASH_INGEST_BATCH_MS: '50',
      },
    })
  }, 180_000)
  afterAll(async () => {
    if (leash && !leash.gone()) {
      leash.child.kill('SIGKILL')
      await leash.exited
    }
    fs.rmSync(leash?.dataDir ?? '/nonexistent', { recursive: true, force: true })
    await upstream?.close()
  })

  it('the start script execs node on server/dist: no shell, npm or tsx left in between', () => {
    expect(startTail()).toMatch(/^exec node .*server\/dist\/cli\/main\.js start$/)
    const pid = leash.child.pid as number
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    expect(path.basename(argv[0] ?? '')).toBe('node')
    expect(argv.some((a) => a.endsWith('server/dist/cli/main.js'))).toBe(true)
    expect(argv.join(' ')).not.toMatch(/tsx/)
    const children = fs.existsSync(`/proc/${pid}/task/${pid}/children`)
      ? fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
      : ''
    expect(children).toBe('')
  })

  it('answers /healthz, proxies a call and scores it in a compiled worker thread', async () => {
    const health = await fetch(`${leash.url}/healthz`)
    expect(health.status).toBe(200)
    const client = new OpenAI({ apiKey: CHILD_PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const res = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'How do I boil an egg?' }],
    })
    expect(res.choices[0]?.message.content).toBeTruthy()
    let status = null as { insert: { written: number; scored: number } } | null
    const until = Date.now() + 60_000
    while (Date.now() < until) {
      const r = await fetch(`${leash.url}/api/ingest/status`, {
        headers: { authorization: `Bearer ${CHILD_ADMIN_TOKEN}` },
      })
      status = (await r.json()) as typeof status
      if (status && status.insert.scored > 0) break
      await sleep(200)
    }
    expect(status?.insert.written).toBe(1)
    expect(status?.insert.scored).toBeGreaterThan(0)
    expect(leash.log()).not.toMatch(/scorer unavailable|scorer worker failed/)
  })

  it('exits 0 on SIGINT (Ctrl-C)', async () => {
    leash.child.kill('SIGINT')
    const exit = await leash.exited
    expect(exit.code).toBe(0)
    expect(leash.log()).toMatch(/shut down cleanly/)
  })
})
