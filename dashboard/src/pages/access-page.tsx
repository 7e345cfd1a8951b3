import type { FormEvent } from 'react'
import { useState } from 'react'
import {
  createKey,
  createToken,
  createUser,
  errorMessage,
  isUnauthorized,
  listKeys,
  listMembers,
  listTokens,
  projectAudit,
  removeMember,
  revokeKey,
  revokeToken,
  setMember,
} from '../api/client.ts'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'

type Role = 'viewer' | 'operator' | 'admin'
const ROLES: Role[] = ['viewer', 'operator', 'admin']
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—')

/** Runs an action, shows its error, and reloads what it changed. */
function useAction() {
  const { onUnauthorized } = useSession()
  const [error, setError] = useState<string | null>(null)
  async function run(fn: () => Promise<unknown>, after: () => Promise<void>) {
    setError(null)
    try {
      await fn()
      await after()
    } catch (err) {
      if (isUnauthorized(err)) return onUnauthorized()
      setError(errorMessage(err))
    }
  }
  return { error, run }
}

function Failed({ error }: { error: string | null }) {
  return error ? (
    <div className="banner banner-error" role="alert" data-testid="access-error">
      {error}
    </div>
  ) : null
}

function Members({ project, owner }: { project: string; owner: boolean }) {
  const members = useApi(`members:${project}`, () => listMembers(project))
  const { error, run } = useAction()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<Role>('viewer')
  function add(e: FormEvent) {
    e.preventDefault()
    void run(() => createUser({ email, password, projects: [{ project, role }] }), members.reload).then(
      () => {
        setEmail('')
        setPassword('')
      },
    )
  }
  return (
    <section className="card" data-testid="access-members">
      <h2>Members</h2>
      <p className="muted small">
        viewer reads; operator also acknowledges, resolves and snoozes alerts; admin also manages keys, rules,
        channels, settings and members. Instance owners are admins everywhere.
      </p>
      <Failed error={error} />
      {members.loading ? <Loading /> : null}
      {members.error ? <ErrorBanner message={members.error} onRetry={members.reload} /> : null}
      {members.data && members.data.items.length === 0 ? (
        <Empty title="No members besides the owners" />
      ) : null}
      {members.data && members.data.items.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {members.data.items.map((m) => (
              <tr key={m.id} data-testid="member-row">
                <td>{m.email}</td>
                <td>
                  <select
                    value={m.role}
                    aria-label={`role of ${m.email}`}
                    onChange={(e) =>
                      void run(() => setMember(project, m.id, e.target.value as Role), members.reload)
                    }
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => void run(() => removeMember(project, m.id), members.reload)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {owner ? (
        <form className="row-form" onSubmit={add} data-testid="member-add">
          <input
            type="email"
            required
            placeholder="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <input
            type="password"
            required
            minLength={12}
            placeholder="initial password (12+)"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} aria-label="role">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
          <button type="submit" className="primary">
            Create user
          </button>
        </form>
      ) : null}
    </section>
  )
}

interface SecretRow {
  id: string
  name: string
  /** The key's prefix or the token's role. */
  label: string
  createdBy: string | null
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

async function loadSecrets(project: string, kind: 'keys' | 'tokens'): Promise<SecretRow[]> {
  if (kind === 'keys') return (await listKeys(project)).items.map((k) => ({ ...k, label: `${k.prefix}…` }))
  return (await listTokens(project)).items.map((t) => ({ ...t, label: t.role ?? '' }))
}

function Secrets({ project, kind }: { project: string; kind: 'keys' | 'tokens' }) {
  const list = useApi(`${kind}:${project}`, () => loadSecrets(project, kind))
  const { error, run } = useAction()
  const [name, setName] = useState('')
  const [role, setRole] = useState<Role>('viewer')
  const [shown, setShown] = useState<string | null>(null)
  function add(e: FormEvent) {
    e.preventDefault()
    void run(async () => {
      const made = kind === 'keys' ? await createKey(project, name) : await createToken(project, name, role)
      setShown(made.key ?? made.token ?? null)
      setName('')
    }, list.reload)
  }
  const revoke = (id: string) =>
    run(() => (kind === 'keys' ? revokeKey(project, id) : revokeToken(project, id)), list.reload)
  return (
    <section className="card" data-testid={`access-${kind}`}>
      <h2>{kind === 'keys' ? 'Project keys (gateway, feedback)' : 'Admin API tokens'}</h2>
      <Failed error={error} />
      {shown ? (
        <div className="banner" role="status" data-testid={`${kind}-shown`}>
          Copy it now, it is shown once: <code>{shown}</code>
        </div>
      ) : null}
      {list.loading ? <Loading /> : null}
      {list.error ? <ErrorBanner message={list.error} onRetry={list.reload} /> : null}
      {list.data ? (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>{kind === 'keys' ? 'Prefix' : 'Role'}</th>
              <th>Created by</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((k) => (
              <tr key={k.id} data-testid={`${kind}-row`}>
                <td>{k.name}</td>
                <td>{k.label}</td>
                <td>{k.createdBy ?? '—'}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td>
                  {k.revokedAt ? (
                    <span className="muted">revoked {when(k.revokedAt)}</span>
                  ) : (
                    <button type="button" onClick={() => void revoke(k.id)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form className="row-form" onSubmit={add}>
        <input required placeholder="name" value={name} onChange={(e) => setName(e.target.value)} />
        {kind === 'tokens' ? (
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} aria-label="token role">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        ) : null}
        <button type="submit" className="primary">
          {kind === 'keys' ? 'Create key' : 'Create token'}
        </button>
      </form>
    </section>
  )
}

function Audit({ project }: { project: string }) {
  const audit = useApi(`audit:${project}`, () => projectAudit(project), { refreshMs: 30_000 })
  return (
    <section className="card" data-testid="access-audit">
      <h2>Audit log</h2>
      {audit.loading ? <Loading /> : null}
      {audit.error ? <ErrorBanner message={audit.error} onRetry={audit.reload} /> : null}
      {audit.data && audit.data.items.length === 0 ? <Empty title="Nothing changed yet" /> : null}
      {audit.data && audit.data.items.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Status</th>
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {audit.data.items.map((a) => (
              <tr key={a.id} data-testid="audit-row">
                <td>{when(a.at)}</td>
                <td>{a.actor}</td>
                <td title={a.path}>{a.action}</td>
                <td>{a.status}</td>
                <td>{a.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}

/** `/access`: members, keys, tokens and the audit log of the current project (its admins'). */
export function AccessPage() {
  const { project, user } = useSession()
  if (!project) return <Empty title="No project" />
  return (
    <div className="page" data-testid="access-page">
      <PageHeader title="Access" sub={`who may do what in ${project}`} />
      <Members project={project} owner={user.role === 'admin'} />
      <Secrets project={project} kind="keys" />
      <Secrets project={project} kind="tokens" />
      <Audit project={project} />
    </div>
  )
}
