import type { ReactNode } from 'react'
import { listAlerts } from '../api/client.ts'
import type { Route } from '../lib/router.ts'
import { hrefWithSticky, setQuery } from '../lib/router.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'
import { Link } from './link.tsx'

const NAV: Array<{ path: string; label: string; pages: Route['page'][] }> = [
  { path: '/', label: 'Overview', pages: ['overview'] },
  { path: '/metrics', label: 'Metrics', pages: ['metrics'] },
  { path: '/exchanges', label: 'Exchanges', pages: ['exchanges', 'exchange', 'session'] },
  { path: '/alerts', label: 'Alerts', pages: ['alerts', 'alert', 'rules'] },
  { path: '/reports', label: 'Reports', pages: ['reports'] },
  { path: '/review', label: 'Review', pages: ['review'] },
  { path: '/leash', label: 'Leash', pages: ['leash'] },
  { path: '/settings', label: 'Settings', pages: ['settings'] },
  { path: '/system', label: 'System', pages: ['system'] },
  { path: '/access', label: 'Access', pages: ['access'] },
]

interface ShellProps {
  route: Route
  onLogout: () => void
  children: ReactNode
}

/** Header with navigation, the project picker (only when there is a choice) and the user. */
export function Shell({ route, onLogout, children }: ShellProps) {
  const { user, projects, current, project } = useSession()
  // The on-call's first question on any page: is anything firing?
  const firing = useApi(`firing:${project}`, () => listAlerts(project, 'firing'), {
    refreshMs: 30_000,
    keepPrevious: true,
  })
  const firingCount = firing.data?.length ?? 0
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">Leash</div>
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => {
            const active = item.pages.includes(route.page)
            return (
              <Link
                key={item.path}
                href={hrefWithSticky(item.path)}
                className={active ? 'nav-link active' : 'nav-link'}
                aria-current={active ? 'page' : undefined}
                data-testid={`nav-${item.label.toLowerCase()}`}
              >
                {item.label}
                {item.path === '/alerts' && firingCount > 0 ? (
                  <span className="badge" data-testid="firing-count" title="alerts firing">
                    {firingCount >= 100 ? '99+' : firingCount}
                  </span>
                ) : null}
              </Link>
            )
          })}
        </nav>
        <div className="spacer" />
        {projects.length > 1 ? (
          <label className="field-inline">
            <span className="muted">Project</span>
            <select
              data-testid="project-select"
              value={current?.slug ?? ''}
              onChange={(e) => setQuery({ project: e.target.value }, { push: true })}
            >
              {projects.map((p) => (
                <option key={p.id} value={p.slug}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        ) : current ? (
          <span className="muted" data-testid="project-name" title={`project ${current.slug}`}>
            {current.name}
          </span>
        ) : null}
        <span className="muted user" title={user.role}>
          {user.email}
        </span>
        <button type="button" data-testid="logout" onClick={onLogout}>
          Log out
        </button>
      </header>
      <main className="content">{children}</main>
    </div>
  )
}
