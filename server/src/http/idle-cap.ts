import type http from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '../log.ts'

/** Sockets that have carried at least one authenticated request; the idle cap never cuts them. */
const authenticated = new WeakSet<Socket>()

/** Called by the gateway and the API once a request's key, token or session checked out. */
export function markAuthenticated(socket: Socket | null | undefined): void {
  if (socket) authenticated.add(socket)
}

export interface IdleCapStats {
  /** Open connections with no request in flight that never completed an authenticated request. */
  idleUnauthenticated: number
  /** Such connections closed because there were more than the cap. */
  idleClosed: number
}

const LOG_EVERY_MS = 10_000

/**
 * Caps idle connections that never authenticated (`LEASH_MAX_IDLE_CONNECTIONS`): past the cap the one
 * idle longest is closed. A socket with a request in flight, or that once authenticated, is never cut,
 * so real clients' keep-alive pools are safe; the header timeout still handles each socket alone.
 */
export function capIdleConnections(server: http.Server, max: number, log?: Logger): () => IdleCapStats {
  // Insertion order is idle-since order: a socket is re-inserted each time it goes idle.
  const idle = new Map<Socket, true>()
  const busy = new WeakMap<Socket, number>()
  let closed = 0
  let unlogged = 0
  let lastLog = 0
  const report = () => {
    const now = Date.now()
    if (unlogged === 0 || now - lastLog < LOG_EVERY_MS) return
    lastLog = now
    log?.('warn', `closed ${unlogged} idle unauthenticated connections over the cap of ${max}`, {
      idleClosedTotal: closed,
    })
    unlogged = 0
  }
  const enforce = () => {
    for (const sock of idle.keys()) {
      if (idle.size <= max) break
      idle.delete(sock)
      sock.destroy()
      closed++
      unlogged++
    }
    report()
  }
  const goIdle = (sock: Socket) => {
    if (sock.destroyed || authenticated.has(sock) || (busy.get(sock) ?? 0) > 0) return
    idle.delete(sock)
    idle.set(sock, true)
    enforce()
  }
  server.on('connection', (sock: Socket) => {
    sock.once('close', () => idle.delete(sock))
    goIdle(sock)
  })
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const sock = req.socket
    idle.delete(sock)
    busy.set(sock, (busy.get(sock) ?? 0) + 1)
    res.once('close', () => {
      busy.set(sock, (busy.get(sock) ?? 1) - 1)
      goIdle(sock)
    })
  })
  // A pending log line is written on the next event, or here when drops stop.
  const timer = setInterval(report, LOG_EVERY_MS)
  timer.unref()
  server.once('close', () => clearInterval(timer))
  return () => ({ idleUnauthenticated: idle.size, idleClosed: closed })
}
