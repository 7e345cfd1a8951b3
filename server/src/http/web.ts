import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { type Context, Hono } from 'hono'
import type { ApiApp } from '../api/app.ts'

export const DASHBOARD_DIST = path.resolve(import.meta.dirname, '../../../dashboard/dist')

/**
 * On every dashboard and API answer: scripts only from Leash itself (no inline script, so injected
 * markup cannot run), never framed, no MIME sniffing, no full URLs leaked to other sites.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
}

/** The Hono side of the server: `/api` plus the built dashboard with a single-page-app fallback. */
export function createWebApp(api: ApiApp, distDir: string = DASHBOARD_DIST): Hono {
  const web = new Hono()
  web.use('*', async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value)
  })
  web.route('/', api)
  // Past the API's routes, an `/api` path is a JSON 404, never the dashboard's HTML.
  const notFound = (c: Context) =>
    c.json(
      {
        error: {
          code: 'not_found',
          message: `Unknown API path: ${c.req.method} ${c.req.path}`,
          requestId: randomUUID(),
        },
      },
      404,
    )
  web.all('/api', notFound)
  web.all('/api/*', notFound)
  const indexFile = path.join(distDir, 'index.html')
  if (!fs.existsSync(indexFile)) {
    web.get('*', (c) =>
      c.text(
        'The dashboard is not built. Run `npm run build` (npm start does it for you), then reload.\n',
        503,
      ),
    )
    return web
  }
  const indexHtml = fs.readFileSync(indexFile, 'utf8')
  const root = path.relative(process.cwd(), distDir) || '.'
  web.use('/assets/*', serveStatic({ root }))
  web.use('*', serveStatic({ root }))
  web.get('*', (c) => c.html(indexHtml))
  return web
}
