import { timingSafeEqual } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { metricsText } from './metrics.ts'

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** `GET /metrics`; with a token, only `Authorization: Bearer <token>` gets an answer. */
export function metricsHandler(opts: { token?: string | undefined }): MetricsHandler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n')
      return
    }
    if (opts.token) {
      const auth = req.headers.authorization ?? ''
      const given = auth.startsWith('Bearer ') ? auth.slice(7).trim() : ''
      if (!sameSecret(given, opts.token)) {
        res
          .writeHead(401, {
            'www-authenticate': 'Bearer realm="leash-metrics"',
            'content-type': 'text/plain',
          })
          .end('unauthorized: send Authorization: Bearer $LEASH_METRICS_TOKEN\n')
        return
      }
    }
    metricsText().then(
      ({ body, contentType }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' })
        res.end(req.method === 'HEAD' ? undefined : body)
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`)
      },
    )
  }
}

export interface MetricsServer {
  url: string
  close(): Promise<void>
}

/** `LEASH_METRICS_PORT`: `/metrics` alone, unauthenticated, on its own port for infrastructure scrapers. */
export async function listenMetrics(opts: { host: string; port: number }): Promise<MetricsServer> {
  const handle = metricsHandler({})
  const server = http.createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === '/metrics') return handle(req, res)
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape /metrics\n')
  })
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
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
