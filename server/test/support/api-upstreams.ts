import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A loopback upstream that speaks the OpenAI Responses API (`/v1/responses`) and the Anthropic
 * Messages API (`/v1/messages`), plain and streaming, with a function call / `tool_use` block when the
 * request declares tools. It keeps the exact bytes it sent, for byte-for-byte comparisons.
 */
export interface ApiUpstream {
  /** `http://127.0.0.1:<port>` (no `/v1`: Anthropic base URLs stop there; OpenAI callers add it). */
  origin: string
  received: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: string }>
  /** Exact response bodies in order. */
  sent: string[]
  close(): Promise<void>
}

type Json = Record<string, unknown>
const sse = (event: string, data: Json) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

function lastUserText(messages: unknown): string {
  if (typeof messages === 'string') return messages
  if (!Array.isArray(messages)) return ''
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Json
    if (m?.role !== 'user') continue
    if (typeof m.content === 'string') return m.content
    if (Array.isArray(m.content))
      return m.content.map((p: Json) => (typeof p.text === 'string' ? p.text : '')).join('')
  }
  return ''
}

export function responseObject(body: Json, text: string, withTool: boolean): Json {
  const output: Json[] = [
    {
      id: 'msg_1',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    },
  ]
  if (withTool)
    output.push({
      id: 'fc_1',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_w1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    })
  return {
    id: 'resp_123',
    object: 'response',
    created_at: 1_700_000_000,
    status: 'completed',
    model: `${String(body.model)}-2025`,
    output,
    usage: {
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 2 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 21,
    },
  }
}

function responsesStream(body: Json, text: string, withTool: boolean): string {
  const full = responseObject(body, text, withTool)
  const created = { ...full, status: 'in_progress', output: [], usage: null }
  let seq = 0
  const ev = (type: string, data: Json) => sse(type, { type, sequence_number: seq++, ...data })
  const words = text.split(/(?<= )/)
  let out = ev('response.created', { response: created })
  out += ev('response.output_item.added', {
    output_index: 0,
    item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
  })
  for (const w of words)
    out += ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: w })
  out += ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text })
  if (withTool) {
    const item = {
      id: 'fc_1',
      type: 'function_call',
      status: 'in_progress',
      call_id: 'call_w1',
      name: 'get_weather',
      arguments: '',
    }
    out += ev('response.output_item.added', { output_index: 1, item })
    for (const d of ['{"city":', '"Paris"}'])
      out += ev('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: d })
  }
  out += ev('response.completed', { response: full })
  return out
}

export function anthropicMessage(body: Json, text: string, withTool: boolean): Json {
  const content: Json[] = [{ type: 'text', text }]
  if (withTool)
    content.push({ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } })
  return {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: String(body.model),
    content,
    stop_reason: withTool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 20,
      cache_read_input_tokens: 5,
      cache_creation_input_tokens: 0,
      output_tokens: 11,
    },
  }
}

function anthropicStream(body: Json, text: string, withTool: boolean): string {
  const msg = {
    ...anthropicMessage(body, text, withTool),
    content: [],
    stop_reason: null,
    usage: { input_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 0, output_tokens: 1 },
  }
  let out = sse('message_start', { type: 'message_start', message: msg })
  out += sse('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  })
  out += sse('ping', { type: 'ping' })
  for (const w of text.split(/(?<= )/))
    out += sse('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: w },
    })
  out += sse('content_block_stop', { type: 'content_block_stop', index: 0 })
  if (withTool) {
    out += sse('content_block_start', {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
    })
    for (const d of ['{"city": ', '"Paris"}'])
      out += sse('content_block_delta', {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: d },
      })
    out += sse('content_block_stop', { type: 'content_block_stop', index: 1 })
  }
  out += sse('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: withTool ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: 11 },
  })
  out += sse('message_stop', { type: 'message_stop' })
  return out
}

export async function startApiUpstream(): Promise<ApiUpstream> {
  const received: ApiUpstream['received'] = []
  const sent: string[] = []
  const server = createServer((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8')
      const path = req.url ?? '/'
      received.push({ method: req.method ?? '', path, headers: req.headers, body: raw })
      const send = (status: number, type: string, text: string) => {
        sent.push(text)
        res.writeHead(status, { 'content-type': type, 'x-upstream': 'api-upstream' })
        res.end(text)
      }
      if (req.method === 'GET' && path.startsWith('/v1/responses/')) {
        return send(
          200,
          'application/json',
          JSON.stringify(responseObject({ model: 'gpt-test' }, 'stored', false)),
        )
      }
      const body = (raw ? JSON.parse(raw) : {}) as Json
      const withTool = Array.isArray(body.tools) && body.tools.length > 0
      if (path === '/v1/responses') {
        const text = `You asked: ${lastUserText(body.input)}`
        if (body.stream === true) return send(200, 'text/event-stream', responsesStream(body, text, withTool))
        return send(200, 'application/json', JSON.stringify(responseObject(body, text, withTool)))
      }
      if (path === '/v1/messages') {
        const key = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '')
        if (key !== 'sk-ant-upstream' && key !== 'sk-ant-caller') {
          const err = { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }
          return send(401, 'application/json', JSON.stringify(err))
        }
        const text = `Claude heard: ${lastUserText(body.messages)}`
        if (body.stream === true) return send(200, 'text/event-stream', anthropicStream(body, text, withTool))
        return send(200, 'application/json', JSON.stringify(anthropicMessage(body, text, withTool)))
      }
      send(404, 'application/json', '{"error":{"message":"no such path"}}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    sent,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
