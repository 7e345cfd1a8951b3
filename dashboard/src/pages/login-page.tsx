import type { Me } from '@leash/shared'
import type { FormEvent } from 'react'
import { useState } from 'react'
import { ApiError, errorMessage, login } from '../api/client.ts'

function loginError(err: unknown): string {
  if (err instanceof ApiError && err.status === 401) return 'Wrong email or password.'
  if (err instanceof ApiError && err.status === 429)
    return 'Too many failed logins: this account or address is locked for a while. An owner can lift the lockout.'
  return `Could not log in: ${errorMessage(err)}`
}

export function LoginPage({ onLoggedIn }: { onLoggedIn: (user: Me) => void }) {
  const [email, setEmail] = useState('admin@leash.local')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      onLoggedIn(await login(email.trim(), password))
    } catch (err) {
      setError(loginError(err))
      setBusy(false)
    }
  }

  return (
    <div className="login-wrap">
      <form className="card login" data-testid="login-form" onSubmit={submit}>
        <div className="brand brand-lg">Leash</div>
        <p className="muted">Alignment observability for your LLM endpoint.</p>
        <label className="field">
          <span>Email</span>
          <input
            data-testid="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error ? (
          <div className="banner banner-error" role="alert" data-testid="login-error">
            {error}
          </div>
        ) : null}
        <button className="primary" type="submit" data-testid="login-submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="help muted">
          The first admin is <code>admin@leash.local</code>. Its credentials were printed on first start and
          saved to <code>&lt;data dir&gt;/initial-credentials.json</code>.
        </p>
      </form>
    </div>
  )
}
