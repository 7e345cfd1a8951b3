import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  raw: string
  json: unknown
}

export interface Receiver {
  url: string
  received: Received[]
  /** Status codes to answer with, in order; after they run out, `okStatus`. */
  failWith: number[]
  okStatus: number
  /** Body to answer successful requests with (e.g. Slack's `{ ok: true, ts }`). */
  respond: (r: Received, index: number) => unknown
  close(): Promise<void>
}

/** A real HTTP receiver on loopback that records every request, for notification tests. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = []
  const state: Receiver = {
    url: '',
    received,
    failWith: [],
    okStatus: 200,
    respond: () => ({ ok: true }),
    close: async () => {},
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let json: unknown = null
      try {
        json = JSON.parse(raw)
      } catch {}
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json }
      received.push(r)
      const fail = state.failWith.shift()
      const status = fail ?? state.okStatus
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify(
          fail ? { error: 'receiver failing on purpose' } : state.respond(r, received.length - 1),
        ),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  state.url = `http://127.0.0.1:${port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
