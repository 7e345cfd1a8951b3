import type { Me, Project } from '@leash/shared'
import type { ReactNode } from 'react'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { errorMessage, isUnauthorized, listProjects, logout, me } from './api/client.ts'
import { Shell } from './components/shell.tsx'
import { ErrorBanner, Loading } from './components/states.tsx'
import type { Route } from './lib/router.ts'
import { useLocation } from './lib/router.ts'
import type { Session } from './lib/session.tsx'
import { SessionProvider } from './lib/session.tsx'
import { AccessPage } from './pages/access-page.tsx'
import { AlertPage } from './pages/alert-page.tsx'
import { AlertsPage } from './pages/alerts-page.tsx'
import { ExchangePage } from './pages/exchange-page.tsx'
import { ExchangesPage } from './pages/exchanges-page.tsx'
import { LeashPage } from './pages/leash-page.tsx'
import { LoginPage } from './pages/login-page.tsx'
import { MetricsPage } from './pages/metrics-page.tsx'
import { NotFoundPage } from './pages/not-found-page.tsx'
import { OverviewPage } from './pages/overview-page.tsx'
import { ReportsPage } from './pages/reports-page.tsx'
import { ReviewPage } from './pages/review-page.tsx'
import { RulesPage } from './pages/rules-page.tsx'
import { SessionPage } from './pages/session-page.tsx'
import { SettingsPage } from './pages/settings-page.tsx'
import { SystemPage } from './pages/system-page.tsx'

type Auth =
  | { state: 'checking' }
  | { state: 'anonymous' }
  | { state: 'error'; message: string }
  | { state: 'in'; user: Me }

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />
    case 'alerts':
      return <AlertsPage />
    case 'alert':
      return <AlertPage id={route.id} />
    case 'exchange':
      return <ExchangePage id={route.id} />
    case 'exchanges':
      return <ExchangesPage />
    case 'session':
      return <SessionPage id={route.id} />
    case 'reports':
      return <ReportsPage />
    case 'rules':
      return <RulesPage />
    case 'metrics':
      return <MetricsPage />
    case 'settings':
      return <SettingsPage />
    case 'system':
      return <SystemPage />
    case 'review':
      return <ReviewPage />
    case 'leash':
      return <LeashPage />
    case 'access':
      return <AccessPage />
    default:
      return <NotFoundPage route={route} />
  }
}

/** Logged in: the project list, then the shell around the page the URL names. */
function LoggedIn({
  user,
  onLogout,
  onUnauthorized,
}: {
  user: Me
  onLogout: () => void
  onUnauthorized: () => void
}) {
  const location = useLocation()
  const [projects, setProjects] = useState<Project[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(() => {
    setError(null)
    listProjects()
      .then(setProjects)
      .catch((err: unknown) => (isUnauthorized(err) ? onUnauthorized() : setError(errorMessage(err))))
  }, [onUnauthorized])
  useEffect(load, [load])

  const ref = location.query.get('project') ?? ''
  const session = useMemo<Session>(() => {
    const list = projects ?? []
    const current = ref ? (list.find((p) => p.slug === ref || p.id === ref) ?? null) : (list[0] ?? null)
    return { user, projects: list, project: ref || current?.slug || '', current, onUnauthorized }
  }, [user, projects, ref, onUnauthorized])

  let body: ReactNode
  if (error) body = <ErrorBanner message={error} prefix="Could not load the projects" onRetry={load} />
  else if (projects === null) body = <Loading />
  else body = <Page route={location.route} />
  return (
    <SessionProvider value={session}>
      <Shell route={location.route} onLogout={onLogout}>
        {ref && projects && !session.current ? (
          <ErrorBanner message={`no project '${ref}' (or no access to it)`} prefix="Unknown project" />
        ) : null}
        {body}
      </Shell>
    </SessionProvider>
  )
}

/** The session decides between the login form and the app. */
export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' })

  const check = useCallback(() => {
    me()
      .then((user) => setAuth({ state: 'in', user }))
      .catch((err: unknown) =>
        setAuth(
          isUnauthorized(err) ? { state: 'anonymous' } : { state: 'error', message: errorMessage(err) },
        ),
      )
  }, [])
  useEffect(check, [check])

  const onUnauthorized = useCallback(() => setAuth({ state: 'anonymous' }), [])
  const onLogout = useCallback(() => {
    // Leave the page even if the call fails: a dead session is as good as a closed one.
    logout()
      .catch(() => undefined)
      .finally(() => setAuth({ state: 'anonymous' }))
  }, [])

  if (auth.state === 'checking') return <div className="splash muted">Loading…</div>
  if (auth.state === 'error') {
    return (
      <div className="splash">
        <div className="banner banner-error" role="alert">
          Cannot reach the Leash API: {auth.message}
        </div>
        <button type="button" onClick={check}>
          Retry
        </button>
      </div>
    )
  }
  if (auth.state === 'anonymous') {
    return <LoginPage onLoggedIn={(user) => setAuth({ state: 'in', user })} />
  }
  return <LoggedIn user={auth.user} onLogout={onLogout} onUnauthorized={onUnauthorized} />
}
