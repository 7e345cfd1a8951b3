import type { Me } from '@leash/shared'
import { useCallback, useEffect, useState } from 'react'
import { errorMessage, isUnauthorized, logout, me } from './api/client.ts'
import { LoginPage } from './pages/login-page.tsx'
import { OverviewPage } from './pages/overview-page.tsx'

type Session =
  | { state: 'checking' }
  | { state: 'anonymous' }
  | { state: 'error'; message: string }
  | { state: 'in'; user: Me }

/** Two screens and no router: the session decides which one shows. */
export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' })

  const check = useCallback(() => {
    me()
      .then((user) => setSession({ state: 'in', user }))
      .catch((err: unknown) =>
        setSession(
          isUnauthorized(err) ? { state: 'anonymous' } : { state: 'error', message: errorMessage(err) },
        ),
      )
  }, [])
  useEffect(check, [check])

  const onUnauthorized = useCallback(() => setSession({ state: 'anonymous' }), [])
  const onLogout = useCallback(() => {
    // Leave the page even if the call fails: a dead session is as good as a closed one.
    logout()
      .catch(() => undefined)
      .finally(() => setSession({ state: 'anonymous' }))
  }, [])

  if (session.state === 'checking') return <div className="splash muted">Loading…</div>
  if (session.state === 'error') {
    return (
      <div className="splash">
        <div className="banner banner-error" role="alert">
          Cannot reach the Leash API: {session.message}
        </div>
        <button type="button" onClick={check}>
          Retry
        </button>
      </div>
    )
  }
  if (session.state === 'anonymous') {
    return <LoginPage onLoggedIn={(user) => setSession({ state: 'in', user })} />
  }
  return <OverviewPage user={session.user} onLogout={onLogout} onUnauthorized={onUnauthorized} />
}
