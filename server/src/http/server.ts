import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'
import type { Gateway } from '../gateway/index.ts'

export interface HttpServer {
  server: http.Server
  url: string
  close(): Promise<void>
}

const HEALTH_OK = Buffer.from('{"status":"ok"}')

/**
 * One port for everything. `/v1/*` goes straight to the gateway's plain node:http handler (no web
 * Request/Response objects on the proxied path); `/healthz` is answered inline; the rest goes to Hono.
 */
export async function listen(opts: {
  host: string
  port: number
  gateway: Gateway
  web: Hono
}): Promise<HttpServer> {
  const webListener = getRequestListener(opts.web.fetch)
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/'
    if (url.startsWith('/v1/') || url === '/v1') return opts.gateway.handle(req, res)
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': HEALTH_OK.length })
      res.end(HEALTH_OK)
      return
    }
    void webListener(req, res)
  })
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
