import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How the fake upstream answers; the mode persists until changed (or is overridden by `x-upstream-mode`). */
export type UpstreamMode =
  | { kind: 'normal'; chunks?: number; splitBytes?: number } // JSON, or `chunks` SSE deltas when asked to stream;
  // `splitBytes` writes the stream in pieces of that many bytes, so events straddle network chunks
  | { kind: 'no_usage'; chunks?: number } // like normal, but never reports usage (ignores include_usage)
  | { kind: 'tool_calls' } // tool calls; streamed as argument deltas when the body asks to stream
  | { kind: 'slow'; delayMs: number } // waits before sending headers
  | { kind: 'error'; status: number } // OpenAI-shaped error with this status
  | { kind: 'cut_before_headers' } // destroys the socket without answering
  | { kind: 'drop_reused' } // like a server that closed an idle keep-alive socket: a reused one is dropped
  | { kind: 'cut'; afterChunks: number } // streams some events, then destroys the socket
  | { kind: 'hold'; chunks?: number } // streams one event, then waits for release()
  | { kind: 'garbage' } // 200 with a body that is not JSON
  | { kind: 'cut_body' } // 200 JSON with its full content-length, but only half the body, then destroys the socket

export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface SentResponse {
  path: string
  status: number
  /** Exact bytes written, as text. */
  body: string
  /** SSE `data:` payloads in order, `[DONE]` excluded. */
  events: string[]
  /** True when the connection closed before the response finished. */
  closedEarly: boolean
}

export interface TestUpstream {
  baseUrl: string
  received: ReceivedRequest[]
  sent: SentResponse[]
  setMode(mode: UpstreamMode): void
  /** Lets every held stream continue. */
  release(): void
  close(): Promise<void>
}

type Json = Record<string, unknown>
const CREATED = 1_700_000_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function lastUser(body: Json): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : []
  const user = [...messages].reverse().find((m) => m.role === 'user')
  return typeof user?.content === 'string' ? user.content : 'parts'
}

export async function startTestUpstream(): Promise<TestUpstream> {
  const received: ReceivedRequest[] = []
  const sent: SentResponse[] = []
  let mode: UpstreamMode = { kind: 'normal' }
  let waiters: Array<() => void> = []
  let seq = 0
  const servedBy = new WeakMap<object, number>()

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      const override = req.headers['x-upstream-mode']
      const m = typeof override === 'string' ? (JSON.parse(override) as UpstreamMode) : mode
      answer(req, res, body, m).catch(() => res.destroy())
    })
  })

  function track(path: string, res: ServerResponse, status: number) {
    const record: SentResponse = { path, status, body: '', events: [], closedEarly: false }
    sent.push(record)
    res.on('close', () => {
      if (!res.writableFinished) record.closedEarly = true
    })
    const write = (text: string) => {
      record.body += text
      res.write(text)
    }
    return { record, write }
  }

  function json(path: string, res: ServerResponse, status: number, payload: unknown) {
    const t = track(path, res, status)
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${seq}` })
    t.write(JSON.stringify(payload))
    res.end()
  }

  async function answer(req: IncomingMessage, res: ServerResponse, raw: string, m: UpstreamMode) {
    seq++
    const path = req.url ?? ''
    if (m.kind === 'slow') await sleep(m.delayMs)
    if (res.destroyed) return
    if (m.kind === 'error') {
      return json(path, res, m.status, {
        error: { message: `upstream exploded (${m.status})`, type: 'server_error', param: null, code: null },
      })
    }
    const socket = req.socket
    const served = (servedBy.get(socket) ?? 0) + 1
    servedBy.set(socket, served)
    if (m.kind === 'cut_before_headers' || (m.kind === 'drop_reused' && served > 1))
      return void socket.destroy()
    if (m.kind === 'cut_body') {
      const t = track(path, res, 200)
      const full = '{"id":"chatcmpl-cut","object":"chat.completion","choices":[]}'
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(full.length) })
      t.write(full.slice(0, 20))
      return void setTimeout(() => socket.destroy(), 20)
    }
    if (m.kind === 'garbage') {
      const t = track(path, res, 200)
      res.writeHead(200, { 'content-type': 'application/json' })
      t.write('<html>definitely not json')
      return void res.end()
    }
    if (path.startsWith('/v1/models')) {
      return json(path, res, 200, {
        object: 'list',
        data: [{ id: 'test-model', object: 'model', created: CREATED, owned_by: 'test' }],
      })
    }
    const body = JSON.parse(raw || '{}') as Json
    const model = typeof body.model === 'string' ? body.model : 'unknown'
    if (path.startsWith('/v1/embeddings')) {
      return json(path, res, 200, {
        object: 'list',
        model: `${model}-resolved`,
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
        ...(m.kind === 'no_usage' ? {} : { usage: { prompt_tokens: 4, total_tokens: 4 } }),
      })
    }
    const chat = path.startsWith('/v1/chat/completions')
    const id = `${chat ? 'chatcmpl' : 'cmpl'}-${seq}`
    const resolved = `${model}-2024`
    const text = chat ? `Hello! You said: ${lastUser(body)}` : `Completion of: ${String(body.prompt)}`
    const usage = {
      prompt_tokens: 11,
      completion_tokens: 7,
      total_tokens: 18,
      prompt_tokens_details: { cached_tokens: 3 },
    }
    const tools = m.kind === 'tool_calls'
    if (body.stream !== true) {
      const choice = !chat
        ? { index: 0, text, finish_reason: 'stop', logprobs: null }
        : tools
          ? {
              index: 0,
              finish_reason: 'tool_calls',
              logprobs: null,
              message: {
                role: 'assistant',
                content: null,
                refusal: null,
                tool_calls: [
                  {
                    id: 'call_1',
                    type: 'function',
                    function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                  },
                ],
              },
            }
          : {
              index: 0,
              finish_reason: 'stop',
              logprobs: null,
              message: { role: 'assistant', content: text, refusal: null },
            }
      return json(path, res, 200, {
        id,
        object: chat ? 'chat.completion' : 'text_completion',
        created: CREATED,
        model: resolved,
        choices: [choice],
        ...(m.kind === 'no_usage' ? {} : { usage }),
      })
    }

    const t = track(path, res, 200)
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const opts = body.stream_options as Json | undefined
    const usageOn = opts?.include_usage === true && m.kind !== 'no_usage'
    const split = m.kind === 'normal' ? m.splitBytes : undefined
    // Like OpenAI: with include_usage every chunk carries `"usage":null`, then a usage-only chunk.
    const emit = async (payload: Json | '[DONE]') => {
      const full =
        usageOn && payload !== '[DONE]' && !('usage' in payload) ? { ...payload, usage: null } : payload
      const data = full === '[DONE]' ? full : JSON.stringify(full)
      if (full !== '[DONE]') t.record.events.push(data)
      const text = `data: ${data}\n\n`
      if (!split) return t.write(text)
      for (let k = 0; k < text.length; k += split) {
        t.write(text.slice(k, k + split))
        await sleep(1)
      }
    }
    const object = chat ? 'chat.completion.chunk' : 'text_completion'
    const base = { id, object, created: CREATED, model: resolved }
    const deltas: Json[] = []
    if (tools) {
      deltas.push({
        role: 'assistant',
        content: null,
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      })
      for (const part of ['{"ci', 'ty":', '"Paris"}'])
        deltas.push({ tool_calls: [{ index: 0, function: { arguments: part } }] })
      deltas.push({
        tool_calls: [
          { index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      })
    } else {
      const n =
        (m.kind === 'normal' || m.kind === 'hold' || m.kind === 'no_usage' ? m.chunks : undefined) ?? 4
      const words = text.split(' ')
      for (let i = 0; i < n; i++)
        deltas.push({
          content:
            words.slice((i * words.length) / n, ((i + 1) * words.length) / n).join(' ') +
            (i < n - 1 ? ' ' : ''),
        })
    }
    for (let i = 0; i < deltas.length; i++) {
      if (m.kind === 'cut' && i === m.afterChunks) return void res.socket?.destroy()
      const choice = chat
        ? { index: 0, delta: deltas[i], finish_reason: null, logprobs: null }
        : { index: 0, text: deltas[i]?.content ?? '', finish_reason: null, logprobs: null }
      await emit({ ...base, choices: [choice] })
      if (m.kind === 'hold' && i === 0) await new Promise<void>((r) => waiters.push(r))
      else await sleep(2)
      if (res.destroyed) return
    }
    const last = chat
      ? { index: 0, delta: {}, finish_reason: tools ? 'tool_calls' : 'stop', logprobs: null }
      : { index: 0, text: '', finish_reason: 'stop', logprobs: null }
    await emit({ ...base, choices: [last] })
    if (usageOn) await emit({ ...base, choices: [], usage })
    await emit('[DONE]')
    res.end()
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    sent,
    setMode(m) {
      mode = m
    },
    release() {
      const w = waiters
      waiters = []
      for (const fn of w) fn()
    },
    close() {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
