import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A real loopback reward endpoint speaking the remote-scorer protocol. Its score is the response's length,
 * so callers can check values; `mode`, `failNext` and `delayMs` change how it behaves between requests.
 */
export type RemoteMode = 'ok' | 'fail' | 'slow' | 'bad-json' | 'wrong-count' | 'bad-request'

export interface RemoteRewardServer {
  url: string
  /** Requests received so far. */
  requests: number
  /** Batch sizes received, in order. */
  batches: number[]
  mode: RemoteMode
  /** The next N requests answer 503, whatever the mode. */
  failNext: number
  /** Delay before answering in 'slow' mode. */
  delayMs: number
  version: string | null
  close(): Promise<void>
}

export async function startRemoteRewardServer(): Promise<RemoteRewardServer> {
  const state: Omit<RemoteRewardServer, 'url' | 'close'> = {
    requests: 0,
    batches: [],
    mode: 'ok',
    failNext: 0,
    delayMs: 500,
    version: 'rm-7',
  }
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8')
    })
    req.on('end', () => {
      state.requests++
      const parsed = JSON.parse(body) as { inputs: { prompt: string; response: string }[] }
      state.batches.push(parsed.inputs.length)
      const scores = parsed.inputs.map((i) => i.response.length)
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (state.version) headers['x-reward-model-version'] = state.version
      const send = (status: number, text: string) => {
        if (res.destroyed) return
        res.writeHead(status, headers).end(text)
      }
      if (state.failNext > 0) {
        state.failNext--
        return send(503, '{"error":"overloaded"}')
      }
      switch (state.mode) {
        case 'ok':
          return send(200, JSON.stringify({ scores }))
        case 'fail':
          return send(500, '{"error":"boom"}')
        case 'slow': {
          const t = setTimeout(() => send(200, JSON.stringify({ scores })), state.delayMs)
          res.on('close', () => clearTimeout(t))
          return
        }
        case 'bad-json':
          return send(200, 'not json')
        case 'wrong-count':
          return send(200, JSON.stringify({ scores: scores.slice(1) }))
        case 'bad-request':
          return send(400, '{"error":"bad input"}')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const self = state as RemoteRewardServer
  self.url = `http://127.0.0.1:${port}/score`
  self.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return self
}
