/**
 * Preloaded into Portkey's gateway (bench only):
 * - it calls `serve({ port })` with no host, i.e. every interface; this pins its listener to 127.0.0.1;
 * - with @hono/node-server > 1.14.2 its handler appends headers to the upstream fetch Response, whose
 *   headers are immutable, and answers "Something went wrong" (Portkey-AI/gateway#1389, #1550): fetch
 *   answers are re-wrapped in a Response of their own (same body stream, mutable headers).
 */
import http from 'node:http'

const listen = http.Server.prototype.listen
http.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') {
    if (args[1] === undefined || args[1] === null || typeof args[1] === 'string') args[1] = '127.0.0.1'
    else args.splice(1, 0, '127.0.0.1')
  } else if (args[0] && typeof args[0] === 'object' && !args[0].host)
    args[0] = { ...args[0], host: '127.0.0.1' }
  return listen.apply(this, args)
}

const fetch0 = globalThis.fetch
globalThis.fetch = async (...args) => {
  const res = await fetch0(...args)
  return new Response(res.body, {
    status: res.status,
    statusText: res.statusText,
    headers: new Headers(res.headers),
  })
}
