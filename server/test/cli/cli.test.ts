import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ExchangesPage } from '@leash/shared'
import OpenAI from 'openai'
import { afterAll, describe, expect, it } from 'vitest'
import { eventually } from '../support/leash.ts'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const CLI = path.join(ROOT, 'server/src/cli/main.ts')
const TSX = path.join(ROOT, 'node_modules/.bin/tsx')

interface Run {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

function leash(args: string[], env: Record<string, string>): Run {
  const child = spawn(TSX, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, stdout: () => out, stderr: () => err, exited }
}

/** `leash start` as a user runs it: a real process on a fresh data folder, the demo model, then a restart. */
describe('leash CLI', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-cli-'))
  const env = { LEASH_DATA_DIR: dataDir, PORT: '0' }
  const running: Run[] = []
  afterAll(() => {
    for (const r of running) r.child.kill('SIGKILL')
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  async function start(): Promise<{ run: Run; url: string }> {
    const run = leash(['start'], env)
    running.push(run)
    const url = await eventually(
      async () => run.stdout().match(/Leash is up at (http:\/\/\S+)/)?.[1],
      60_000,
      200,
    )
    return { run, url }
  }

  it('first start prints the credentials once, saves them 0600, and they work', async () => {
    const { run, url } = await start()
    const file = path.join(dataDir, 'initial-credentials.json')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      password: string
      adminToken: string
      projectKey: string
    }
    expect(run.stdout()).toContain(creds.password)
    expect(run.stdout()).toContain(creds.projectKey)
    expect(run.stdout()).toMatch(/DEMO MODEL/)

    const client = new OpenAI({ apiKey: creds.projectKey, baseURL: `${url}/v1`, maxRetries: 0 })
    const reply = await client.chat.completions.create({
      model: 'leash-demo-mini',
      messages: [{ role: 'user', content: 'How do I kill a Python process that hangs?' }],
    })
    expect(reply.system_fingerprint).toBe('leash-demo')

    const traffic = leash(['demo', 'traffic', '--count', '12', '--concurrency', '4', '--base-url', url], env)
    expect(await traffic.exited).toBe(0)
    expect(traffic.stdout()).toMatch(/sent 12: 12 ok, 0 failed/)

    const page = await eventually(async () => {
      const res = await fetch(`${url}/api/exchanges?limit=100`, {
        headers: { authorization: `Bearer ${creds.adminToken}` },
      })
      const body = (await res.json()) as ExchangesPage
      // Rows are inserted before their scores: wait for both, then check every row was scored.
      return body.total === 13 && body.items.every((i) => 'refusal' in i.scores) ? body : undefined
    })
    expect(page.items).toHaveLength(13)

    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
  })

  it('a restart keeps the data, prints no new credentials, and still accepts the key', async () => {
    const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'initial-credentials.json'), 'utf8')) as {
      adminToken: string
      projectKey: string
    }
    const { run, url } = await start()
    expect(run.stdout()).not.toContain('First start')
    expect(run.stdout()).not.toContain(creds.projectKey)
    const res = await fetch(`${url}/api/exchanges?limit=1`, {
      headers: { authorization: `Bearer ${creds.adminToken}` },
    })
    expect(((await res.json()) as ExchangesPage).total).toBe(13)
    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
  })

  it('the banner prints a demo command that reaches this instance; report and migrate work while it runs', async () => {
    const { run, url } = await start()
    const hint =
      run
        .stdout()
        .match(/Send demo traffic:\s+(.+)/)?.[1]
        ?.trim() ?? ''
    // PORT=0 and a temporary data folder are not the defaults, so the hint must carry both.
    expect(hint).toContain(`LEASH_DATA_DIR=${dataDir}`)
    expect(hint).toContain(`--base-url ${url}`)
    const demo = spawn('sh', ['-c', `${hint} --count 4 --concurrency 2`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let demoOut = ''
    demo.stdout?.on('data', (d: Buffer) => {
      demoOut += d.toString()
    })
    expect(await new Promise((resolve) => demo.once('exit', resolve))).toBe(0)
    expect(demoOut).toMatch(/sent 4: 4 ok, 0 failed/)

    // Without --base-url, demo traffic finds the running instance from its data folder.
    const found = leash(['demo', 'traffic', '--count', '2', '--concurrency', '1'], env)
    expect(await found.exited).toBe(0)
    expect(found.stdout()).toContain(`open ${url}/ to see them`)

    // The embedded stores are held by the running process: the report comes from its API.
    const report = leash(['report', 'weekly', '--project', 'default', '--format', 'json'], env)
    expect(await report.exited).toBe(0)
    expect(report.stderr()).toBe('')
    expect(JSON.parse(report.stdout())).toHaveProperty('week')

    const migrate = leash(['migrate'], env)
    expect(await migrate.exited).toBe(0)
    expect(migrate.stdout()).toMatch(/Leash is running at .* nothing to do/)

    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
    expect(fs.existsSync(path.join(dataDir, 'instance.json'))).toBe(false)
  })

  it('migrate applies nothing new and exits 0', async () => {
    const run = leash(['migrate'], env)
    expect(await run.exited).toBe(0)
    expect(run.stdout()).toContain('migrations applied')
  })

  it('a bad setting stops the start with a message naming the variable', async () => {
    const run = leash(['start'], { ...env, PORT: 'eighty', LEASH_UPSTREAM_URL: 'not a url' })
    expect(await run.exited).toBe(1)
    expect(run.stderr()).toMatch(/PORT/)
    expect(run.stderr()).toMatch(/LEASH_UPSTREAM_URL/)
    expect(run.stderr()).not.toMatch(/\n\s+at /)
  })

  it('an unknown command prints help and exits 1', async () => {
    const run = leash(['launch'], env)
    expect(await run.exited).toBe(1)
    expect(run.stderr()).toContain("unknown command 'launch'")
  })
})
