import http, { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import net, { type AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_KEY, type RunningGateway, startGateway, waitFor } from '../support/gateway.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

/** A loopback upstream that answers with whatever `handler` does (real HTTP, real sockets). */
async function customUpstream(handler: Handler): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => handler(req, res, body))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: async () => {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    },
  }
}

/** A raw request, path sent exactly as given (no client-side normalisation, like curl --path-as-is). */
function raw(
  base: string,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const u = new URL(base)
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method: opts.method, path: opts.path, headers: opts.headers },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => {
          body += c.toString()
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}

const auth = { authorization: `Bearer ${PROJECT_KEY}`, 'content-type': 'application/json' }
const chatBody = (content: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content }], ...extra })

describe('forwarded paths are allow-listed (issue 11, item 7)', () => {
  let upstream: TestUpstream
  let g: RunningGateway
  beforeAll(async () => {
    upstream = await startTestUpstream()
    g = await startGateway({ upstreamBaseUrl: upstream.baseUrl })
  })
  afterAll(async () => {
    await g.stop()
    await upstream.close()
  })

  it.each([
    '/v1/models/../../admin',
    '/v1/models/%2e%2e/%2e%2e/admin',
    '/v1/models/..%2f..%2fadmin',
    '/v1/chat/completions/../../admin',
    '/v1/../admin',
    '/v1/files',
  ])('answers %s with a 404 in OpenAI shape and forwards nothing', async (path) => {
    const before = upstream.received.length
    const r = await raw(g.base, { method: 'GET', path, headers: auth })
    expect(r.status).toBe(404)
    expect(JSON.parse(r.body)).toMatchObject({
      error: { type: 'invalid_request_error', code: 'unknown_url' },
    })
    expect(upstream.received.length).toBe(before)
  })

  it('still forwards a plain model id', async () => {
    const r = await raw(g.base, { method: 'GET', path: '/v1/models/gpt-4o-mini', headers: auth })
    expect(r.status).toBe(200)
    expect(upstream.received.at(-1)?.path).toBe('/v1/models/gpt-4o-mini')
  })
})

describe('every answered call gets a truthful record (issue 11, items 2, 6 and 8)', () => {
  let upstream: TestUpstream
  let g: RunningGateway
  beforeAll(async () => {
    upstream = await startTestUpstream()
    g = await startGateway({ upstreamBaseUrl: upstream.baseUrl, bodyLimitBytes: 1024 * 1024 })
  })
  afterAll(async () => {
    await g.stop()
    await upstream.close()
  })
  const recordOf = (eventId: unknown) => waitFor(() => g.records.find((r) => r.eventId === eventId))

  it('records content nested 5,000 deep instead of losing it', async () => {
    const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`
    const body = `{"model":"gpt-test","messages":[{"role":"user","content":${deep}}]}`
    const r = await raw(g.base, { method: 'POST', path: '/v1/chat/completions', headers: auth, body })
    expect(r.status).toBe(200)
    const rec = await recordOf(r.headers['x-leash-event-id'])
    expect(rec.status).toBe(200)
    expect(String(rec.request).length).toBeGreaterThan(10_000)
    // Too deep for the record's parsers: kept as text, counted, and said so in the record.
    expect(g.gateway.stats().simplified).toBe(1)
    expect(rec.errorMessage).toContain('recorded without parsing (request nested deeper than 128 levels)')
    expect(rec.request).toBe(body)
  })

  it('stores lone surrogates as U+FFFD, so the record can be stored', async () => {
    const r = await raw(g.base, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: auth,
      body: chatBody('a\ud800b'),
    })
    expect(r.status).toBe(200)
    const rec = await recordOf(r.headers['x-leash-event-id'])
    expect(rec.prompt).toBe('a\uFFFDb')
    expect(rec.responseText).toBe('Hello! You said: a\uFFFDb')
  })

  it('reads UTF-8 x-leash-* header values as UTF-8', async () => {
    // Written byte for byte on a socket: HTTP clients disagree on how to encode non-ASCII headers.
    const body = chatBody('hi')
    const head = [
      'POST /v1/chat/completions HTTP/1.1',
      `host: ${new URL(g.base).host}`,
      `authorization: Bearer ${PROJECT_KEY}`,
      'content-type: application/json',
      `content-length: ${Buffer.byteLength(body)}`,
      'x-leash-user: José 東京',
      'x-leash-tags: team=Zürich',
      'connection: close',
    ]
    const sock = net.connect(Number(new URL(g.base).port), '127.0.0.1')
    sock.write(Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'utf8'))
    let answer = ''
    for await (const c of sock) answer += (c as Buffer).toString('latin1')
    const eventId = /x-leash-event-id: (\S+)/i.exec(answer)?.[1]
    expect(answer).toMatch(/^HTTP\/1.1 200/)
    const rec = await recordOf(eventId)
    expect(rec.tags.user).toBe('José 東京')
    expect(rec.tags.extra).toEqual({ team: 'Zürich' })
  })

  it('answers an invalid stream_options with a 400 instead of replacing it', async () => {
    const before = upstream.received.length
    for (const stream_options of ['yes', { include_usage: 'yes' }]) {
      const r = await raw(g.base, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: auth,
        body: chatBody('hi', { stream: true, stream_options }),
      })
      expect(r.status).toBe(400)
      expect(JSON.parse(r.body).error.param).toMatch(/^stream_options/)
    }
    expect(upstream.received.length).toBe(before)
  })
})

describe('upstream answers that are odd (issue 11, item 6)', () => {
  const ups: Array<{ close(): Promise<void> }> = []
  const gws: RunningGateway[] = []
  afterAll(async () => {
    for (const g of gws) await g.stop()
    for (const u of ups) await u.close()
  })
  async function via(handler: Handler, timeoutMs = 400): Promise<RunningGateway> {
    const u = await customUpstream(handler)
    ups.push(u)
    const g = await startGateway({ upstreamBaseUrl: u.baseUrl, timeoutMs })
    gws.push(g)
    return g
  }

  it('records a reply past the 8 MiB capture as truncated, with sizes, not as an upstream error', async () => {
    const content = 'a'.repeat(9 * 1024 * 1024)
    const reply = JSON.stringify({
      id: 'c1',
      object: 'chat.completion',
      model: 'gpt-test',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    })
    const g = await via((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) })
      res.end(reply)
    }, 10_000)
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${g.base}/v1`, maxRetries: 0 })
    const answer = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'big' }],
    })
    expect(answer.choices[0]?.message.content?.length).toBe(content.length)
    const rec = await g.nextRecord()
    expect(rec.outcome).toBe('ok')
    expect(rec.status).toBe(200)
    expect(rec.errorMessage).toMatch(new RegExp(`truncated: kept \\d+ of ${Buffer.byteLength(reply)} bytes`))
  })

  it('does not store an event stream without a single answer event as ok', async () => {
    const g = await via((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: {"hello":"world"}\n\n')
      res.write('this is not an event stream\n\n')
      res.end('data: [DONE]\n\n')
    })
    const r = await raw(g.base, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: auth,
      body: chatBody('hi', { stream: true }),
    })
    expect(r.status).toBe(200)
    const rec = await g.nextRecord()
    expect(rec.outcome).toBe('upstream_error')
    expect(rec.errorMessage).toContain('no parsable event')
  })

  it('records what the caller saw when the upstream hangs after the headers', async () => {
    const g = await via((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"id":"c1","object":"chat.completion",')
    }, 300)
    const client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${g.base}/v1`, maxRetries: 0 })
    await expect(
      client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hang' }] }),
    ).rejects.toThrow()
    const rec = await g.nextRecord()
    expect(rec.outcome).toBe('stream_error')
    expect(rec.errorMessage).toContain("went idle for 300 ms mid-response; the caller's connection was reset")
  })
})
