import net from 'node:net'
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

/** Resolves with how long the server kept a socket that sent `bytes` (maybe nothing) and then stalled. */
function heldFor(url: string, bytes: string): Promise<number> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    const sock = net.connect(Number(u.port), u.hostname, () => {
      if (bytes) sock.write(bytes)
    })
    sock.on('data', () => {})
    sock.on('error', () => {})
    sock.on('close', () => resolve(Date.now() - t0))
    setTimeout(() => {
      sock.destroy()
      reject(new Error('the server kept a stalled socket open for 20 s'))
    }, 20_000)
  })
}

/** Issue 11, item 8: the smaller holes at the HTTP edge. */
describe('HTTP edge', () => {
  let leash: TestLeash
  beforeAll(async () => {
    leash = await startTestLeash({
      mode: 'embedded',
      env: { LEASH_HEADERS_TIMEOUT_MS: '1000', LEASH_REQUEST_TIMEOUT_MS: '3000' },
    })
  }, 120_000)
  afterAll(async () => {
    await leash?.stop()
  })

  it('answers an 11 MB body with a 413 every time (never a reset the caller cannot read)', async () => {
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const content = 'x'.repeat(11 * 1024 * 1024)
    for (let i = 0; i < 3; i++) {
      const err = await client.chat.completions
        .create({ model: 'demo', messages: [{ role: 'user', content }] })
        .then(
          () => null,
          (e: unknown) => e,
        )
      expect(err).toBeInstanceOf(APIError)
      expect((err as APIError).status).toBe(413)
    }
  })

  it('answers an unknown /api path with a JSON 404, not the dashboard', async () => {
    for (const p of ['/api/nope', '/api/v2/exchanges', '/api']) {
      const res = await fetch(`${leash.url}${p}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toContain('application/json')
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } })
    }
  })

  it('closes sockets that stall before finishing their headers or their body (slow loris)', async () => {
    const silent = await heldFor(leash.url, '')
    const halfHeaders = await heldFor(leash.url, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n')
    const halfBody = await heldFor(
      leash.url,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${PROJECT_KEY}\r\ncontent-length: 1000\r\n\r\n{"model":`,
    )
    // Limits of 1 s and 3 s, checked every 0.5 s: generous bounds for a busy machine.
    expect(silent).toBeLessThan(8_000)
    expect(halfHeaders).toBeLessThan(8_000)
    expect(halfBody).toBeLessThan(12_000)
  }, 60_000)
})
