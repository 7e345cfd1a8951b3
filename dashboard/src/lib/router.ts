import { useMemo, useSyncExternalStore } from 'react'

/**
 * History routing without a library: the server answers every non-/api path with index.html, so a
 * page's URL (path + query) is the whole of its state and can be shared or reloaded.
 */

export type Route =
  | { page: 'overview' }
  | { page: 'metrics' }
  | { page: 'alerts' }
  | { page: 'alert'; id: string }
  | { page: 'exchange'; id: string }
  | { page: 'exchanges' }
  | { page: 'session'; id: string }
  | { page: 'rules' }
  | { page: 'reports' }
  | { page: 'settings' }
  | { page: 'system' }
  | { page: 'review' }
  | { page: 'leash' }
  | { page: 'access' }
  | { page: 'not_found'; path: string }

export interface Location {
  path: string
  query: URLSearchParams
  route: Route
}

const listeners = new Set<() => void>()

function subscribe(fn: () => void): () => void {
  listeners.add(fn)
  window.addEventListener('popstate', fn)
  return () => {
    listeners.delete(fn)
    window.removeEventListener('popstate', fn)
  }
}

function snapshot(): string {
  return window.location.pathname + window.location.search
}

export function matchRoute(path: string): Route {
  const clean = path.replace(/\/+$/, '') || '/'
  if (clean === '/') return { page: 'overview' }
  if (clean === '/metrics') return { page: 'metrics' }
  if (clean === '/alerts') return { page: 'alerts' }
  if (clean === '/alerts/rules') return { page: 'rules' }
  const alert = /^\/alerts\/([^/]+)$/.exec(clean)
  if (alert?.[1]) return { page: 'alert', id: decodeURIComponent(alert[1]) }
  const exchange = /^\/exchanges\/([^/]+)$/.exec(clean)
  if (exchange?.[1]) return { page: 'exchange', id: decodeURIComponent(exchange[1]) }
  if (clean === '/exchanges') return { page: 'exchanges' }
  const session = /^\/sessions\/([^/]+)$/.exec(clean)
  if (session?.[1]) return { page: 'session', id: decodeURIComponent(session[1]) }
  if (clean === '/reports') return { page: 'reports' }
  if (clean === '/settings') return { page: 'settings' }
  if (clean === '/system') return { page: 'system' }
  if (clean === '/review') return { page: 'review' }
  if (clean === '/leash') return { page: 'leash' }
  if (clean === '/access') return { page: 'access' }
  return { page: 'not_found', path }
}

export function useLocation(): Location {
  const current = useSyncExternalStore(subscribe, snapshot)
  return useMemo(() => {
    const url = new URL(current, window.location.origin)
    return { path: url.pathname, query: url.searchParams, route: matchRoute(url.pathname) }
  }, [current])
}

export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  if (to === snapshot()) return
  if (replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  for (const fn of listeners) fn()
}

/** Query keys kept on every link: the project is global, everything else belongs to one page. */
const STICKY = ['project'] as const

/** A link target with the sticky query keys of the current URL carried over. */
export function hrefWithSticky(path: string, query: Record<string, string | undefined> = {}): string {
  const current = new URLSearchParams(window.location.search)
  const params = new URLSearchParams()
  for (const key of STICKY) {
    const v = current.get(key)
    if (v && query[key] === undefined) params.set(key, v)
  }
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v)
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

/** Patch the current URL's query (null or '' removes a key); replaces history by default (filters, tabs). */
export function setQuery(
  patch: Record<string, string | null>,
  { push = false }: { push?: boolean } = {},
): void {
  const params = new URLSearchParams(window.location.search)
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === '') params.delete(k)
    else params.set(k, v)
  }
  const qs = params.toString()
  navigate(`${window.location.pathname}${qs ? `?${qs}` : ''}`, { replace: !push })
}
