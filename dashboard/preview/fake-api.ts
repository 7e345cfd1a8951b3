// Preview harness only (not served by Leash): serves dashboard/dist plus a fake API with made-up traffic,
// so the UI can be looked at without the real server. Run: npx tsx dashboard/preview/fake-api.ts [port]
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize } from 'node:path'
import type { ExchangeItem, TimeSeriesPoint } from '@leash/shared'

const dist = join(import.meta.dirname, '..', 'dist')
const port = Number(process.argv[2] ?? 5174)
const empty = process.env.PREVIEW_EMPTY === '1'
const me = { id: 'u1', email: 'admin@leash.local', role: 'admin' }
const projects = [{ id: 'p1', slug: 'demo', name: 'Demo project', createdAt: new Date().toISOString() }]
const prompts = ['How do I reset my router?', 'Write a haiku about rain', 'How can I pick a lock?', 'Summarise this']

function exchange(i: number): ExchangeItem {
  const refusal = i % 7 === 0 ? 'full' : i % 11 === 0 ? 'partial' : 'none'
  return {
    id: `ex-${i}`,
    time: new Date(Date.now() - i * 37_000).toISOString(),
    projectId: 'p1',
    model: i % 3 ? 'gpt-4o-mini' : 'llama-3.1-8b-instruct',
    endpoint: '/v1/chat/completions',
    stream: i % 2 === 0,
    status: i % 13 === 0 ? 502 : 200,
    outcome: i % 13 === 0 ? 'upstream_error' : 'ok',
    latencyMs: 200 + ((i * 97) % 1800),
    ttftMs: i % 2 === 0 ? 120 : null,
    usage: { promptTokens: 20 + i, completionTokens: 80, cachedTokens: 0 },
    prompt: `${prompts[i % prompts.length]} ${'(context) '.repeat(i % 5)}`,
    responseText: refusal === 'full' ? "I'm sorry, but I can't help with that." : 'Sure! '.repeat(20 + (i % 9)),
    finishReason: 'stop',
    scores: i % 17 === 0 ? {} : { refusal: refusal === 'none' ? 0.03 : 0.91 },
    labels: i % 17 === 0 ? {} : { refusal },
  }
}

function series(url: URL) {
  const to = new Date(url.searchParams.get('to') ?? Date.now()).getTime()
  const from = new Date(url.searchParams.get('from') ?? to - 3600_000).getTime()
  const step = Number(url.searchParams.get('step') ?? 60)
  const points: TimeSeriesPoint[] = []
  const start = Math.floor(from / (step * 1000)) * step * 1000
  for (let t = start, k = 0; t < to && !empty; t += step * 1000, k++) {
    if (k % 9 === 4) continue // a bucket with no traffic at all
    const requests = Math.round((5 + 4 * Math.sin(k / 5)) * (step / 60)) + 1
    const scored = k % 6 !== 1
    points.push({
      t: new Date(t).toISOString(),
      requests,
      errors: k % 5 === 0 ? 1 : 0,
      refusal_rate: scored ? 0.08 + 0.05 * Math.sin(k / 3) : null,
      latency_p50: scored ? 420 + 60 * Math.cos(k / 4) : null,
      latency_p95: scored ? 1300 + 300 * Math.sin(k / 6) : null,
    })
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), step, points }
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

async function api(req: IncomingMessage, res: ServerResponse, url: URL) {
  const authed = (req.headers.cookie ?? '').includes('leash_session=ok')
  if (url.pathname === '/api/auth/login' && req.method === 'POST') {
    let raw = ''
    for await (const chunk of req) raw += String(chunk)
    const body = JSON.parse(raw) as { password?: string }
    if (body.password !== 'secret') {
      return json(res, 401, { error: { code: 'unauthorized', message: 'Bad credentials', requestId: 'r1' } })
    }
    res.setHeader('set-cookie', 'leash_session=ok; Path=/; HttpOnly; SameSite=Lax')
    return json(res, 200, me)
  }
  if (url.pathname === '/api/auth/logout') {
    res.setHeader('set-cookie', 'leash_session=; Path=/; Max-Age=0')
    return res.writeHead(204).end()
  }
  if (!authed) return json(res, 401, { error: { code: 'unauthorized', message: 'Log in', requestId: 'r2' } })
  if (url.pathname === '/api/auth/me') return json(res, 200, me)
  if (url.pathname === '/api/projects') return json(res, 200, { items: projects })
  if (url.pathname === '/api/metrics/overview') return json(res, 200, series(url))
  if (url.pathname === '/api/exchanges') {
    const limit = Number(url.searchParams.get('limit') ?? 50)
    const offset = Number(url.searchParams.get('offset') ?? 0)
    const total = empty ? 0 : 137
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => exchange(offset + i))
    return json(res, 200, { total, items })
  }
  return json(res, 404, { error: { code: 'not_found', message: 'No such route', requestId: 'r3' } })
}

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (url.pathname.startsWith('/api/')) return void api(req, res, url)
  const file = normalize(join(dist, url.pathname === '/' ? 'index.html' : url.pathname))
  readFile(file.startsWith(dist) ? file : join(dist, 'index.html'))
    .catch(() => readFile(join(dist, 'index.html')))
    .then((buf) => res.writeHead(200, { 'content-type': types[extname(file)] ?? 'text/html' }).end(buf))
}).listen(port, '127.0.0.1', () => console.log(`preview on http://127.0.0.1:${port}`))
