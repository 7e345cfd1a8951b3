import net from 'node:net'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

const CAP = 20
const OVER = 5

interface Tracked {
  sock: net.Socket
  closed: boolean
  data: string
}

/** Opens a socket and resolves once connected; `closed` flips when the server (or we) end it. */
function open(url: string): Promise<Tracked> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const t: Tracked = { sock: net.connect(Number(u.port), u.hostname), closed: false, data: '' }
    t.sock.setEncoding('utf8')
    t.sock.on('data', (d: string) => {
      t.data += d
    })
    t.sock.on('error', () => {})
    t.sock.on('close', () => {
      t.closed = true
    })
    t.sock.once('connect', () => resolve(t))
    t.sock.once('error', reject)
  })
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Sends one keep-alive request on a raw socket and waits for the whole (content-length) answer. */
async function request(t: Tracked, path: string, key: string): Promise<string> {
  t.data = ''
  t.sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`)
  await until('an answer', () => {
    const head = t.data.indexOf('\r\n\r\n')
    const len = /content-length: (\d+)/i.exec(t.data)?.[1]
    return head >= 0 && len !== undefined && t.data.length >= head + 4 + Number(len)
  })
  return t.data
}

/** Issue 11, item 8: a cap on idle unauthenticated connections (`LEASH_MAX_IDLE_CONNECTIONS`). */
describe('idle connection cap', () => {
  let leash: TestLeash
  const sockets: Tracked[] = []
  beforeAll(async () => {
    // Header timeout far beyond the test, so only the cap can close a silent socket here.
    leash = await startTestLeash({
      mode: 'embedded',
      env: { LEASH_MAX_IDLE_CONNECTIONS: String(CAP), LEASH_HEADERS_TIMEOUT_MS: '120000' },
    })
  }, 120_000)
  afterAll(async () => {
    for (const t of sockets) t.sock.destroy()
    await leash?.stop()
  })

  it('closes the oldest idle unauthenticated sockets past the cap, never an authenticated one', async () => {
    // An authenticated keep-alive socket, then idle: it must survive everything below.
    const authed = await open(leash.url)
    sockets.push(authed)
    expect(await request(authed, '/v1/models', PROJECT_KEY)).toMatch(/^HTTP\/1\.1 200/)
    // A socket whose only request was refused (wrong key) stays unauthenticated, so it counts.
    const refused = await open(leash.url)
    sockets.push(refused)
    expect(await request(refused, '/v1/models', 'lsk_wrong_key')).toMatch(/^HTTP\/1\.1 401/)

    // A real client calls while the sockets pile up; its pooled connection authenticated, so it stays.
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const call = () =>
      client.chat.completions.create({
        model: 'leash-demo-mini',
        messages: [{ role: 'user', content: 'hi' }],
      })
    const first = call()
    const silent: Tracked[] = []
    for (let i = 0; i < CAP + OVER - 1; i++) silent.push(await open(leash.url))
    sockets.push(...silent)
    // refused + silent = CAP + OVER unauthenticated idle sockets: the OVER oldest go.
    await until('the cap to close sockets', () => [refused, ...silent].filter((t) => t.closed).length >= OVER)
    await new Promise((r) => setTimeout(r, 500))
    const closed = [refused, ...silent].map((t) => t.closed)
    expect(closed.filter(Boolean)).toHaveLength(OVER)
    expect(closed.slice(0, OVER).every(Boolean)).toBe(true)

    expect((await first).choices.length).toBeGreaterThan(0)
    expect((await call()).choices.length).toBeGreaterThan(0)
    expect(authed.closed).toBe(false)
    expect(await request(authed, '/v1/models', PROJECT_KEY)).toMatch(/^HTTP\/1\.1 200/)

    const metrics = await fetch(`${leash.url}/api/ingest/metrics`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    const text = await metrics.text()
    expect(Number(/^leash_http_idle_closed_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(OVER)
    // Logged, but at most once per 10 s: one line at the first close, maybe one more from the timer.
    const lines = leash.logs.filter((l) => l.includes('idle unauthenticated connections over the cap'))
    expect(lines.length).toBeGreaterThanOrEqual(1)
    expect(lines.length).toBeLessThanOrEqual(2)
  }, 120_000)
})
