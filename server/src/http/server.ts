import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'
import type { Gateway } from '../gateway/index.ts'
import type { Logger } from '../log.ts'
import { capIdleConnections, type IdleCapStats } from './idle-cap.ts'

export interface HttpServer {
  server: http.Server
  url: string
  /**
   * Stops accepting, lets calls in flight (streams included) finish for up to `graceMs`, then closes
   * every connection that is left.
   */
  close(graceMs?: number): Promise<void>
  /** Idle unauthenticated connections now, and how many the cap closed. */
  stats(): IdleCapStats
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
  /** Time allowed to send the request headers (slow-loris guard); default 10 s. */
  headersTimeoutMs?: number
  /** Time allowed to send the whole request, body included; default 60 s. */
  requestTimeoutMs?: number
  /** Idle connections that never authenticated allowed at once (`LEASH_MAX_IDLE_CONNECTIONS`); default 512. */
  maxIdleConnections?: number
  log?: Logger
  /** `GET /metrics` (observe/endpoint.ts); absent = 404 there, as when it has a port of its own. */
  metrics?: (req: http.IncomingMessage, res: http.ServerResponse) => void
}): Promise<HttpServer> {
  const webListener = getRequestListener(opts.web.fetch)
  const headersTimeout = opts.headersTimeoutMs ?? 10_000
  const requestTimeout = Math.max(opts.requestTimeoutMs ?? 60_000, headersTimeout)
  // Node enforces both timeouts on this interval; its default (30 s) would let a silent socket live on.
  const checkEvery = Math.max(250, Math.min(1_000, Math.floor(headersTimeout / 2)))
  const options = { headersTimeout, requestTimeout, connectionsCheckingInterval: checkEvery }
  const server = http.createServer(options, (req, res) => {
    const url = req.url ?? '/'
    if (url.startsWith('/v1/') || url === '/v1') return opts.gateway.handle(req, res)
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': HEALTH_OK.length })
      res.end(HEALTH_OK)
      return
    }
    if (opts.metrics && url === '/metrics') return opts.metrics(req, res)
    void webListener(req, res)
  })
  server.keepAliveTimeout = 65_000
  const stats = capIdleConnections(server, opts.maxIdleConnections ?? 512, opts.log)
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
    stats,
    async close(graceMs = 0) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      if (graceMs > 0) await opts.gateway.drain(graceMs)
      server.closeAllConnections()
      await closed
    },
  }
}
