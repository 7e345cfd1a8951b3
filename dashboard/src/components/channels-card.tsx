import type { Channel, ChannelInput } from '@leash/shared'
import { useState } from 'react'
import {
  channelDeliveries,
  createChannel,
  deleteChannel,
  errorMessage,
  isUnauthorized,
  testChannel,
} from '../api/client.ts'
import { fmtDateTime } from '../lib/format.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'
import { Empty } from './states.tsx'

type Kind = ChannelInput['kind']

const FIELDS: Record<Kind, Array<{ key: string; label: string; placeholder: string; secret?: boolean }>> = {
  webhook: [
    { key: 'url', label: 'URL', placeholder: 'https://hooks.example.com/leash' },
    { key: 'secret', label: 'Signing secret (optional, 16+ chars)', placeholder: 'whsec_…', secret: true },
  ],
  slack: [{ key: 'url', label: 'Incoming webhook URL', placeholder: 'https://hooks.slack.com/services/…' }],
  pagerduty: [
    { key: 'routingKey', label: 'Routing key', placeholder: 'Events v2 integration key', secret: true },
  ],
}

function Deliveries({ channel }: { channel: Channel }) {
  const { project } = useSession()
  const res = useApi(`deliveries:${project}:${channel.id}`, () => channelDeliveries(project, channel.id), {
    refreshMs: 15_000,
  })
  if (res.error) return <span className="text-bad small">{res.error}</span>
  if (!res.data) return <span className="muted small">…</span>
  const items = res.data.items
  if (items.length === 0) return <span className="muted small">nothing sent yet</span>
  const count = (status: string) => items.filter((d) => d.status === status).length
  const last = items[0]
  return (
    <details className="small" data-testid="channel-deliveries">
      <summary>
        <span
          className={`pill pill-${last?.status === 'delivered' ? 'ok' : last?.status === 'pending' ? 'warn' : 'bad'}`}
        >
          last: {last?.status}
        </span>{' '}
        <span className="muted">
          {count('delivered')} delivered · {count('pending')} pending · {count('failed')} failed
        </span>
        {last && last.status !== 'delivered' && last.lastError ? (
          <div className="text-bad">{last.lastError}</div>
        ) : null}
      </summary>
      <ul className="delivery-list">
        {items.slice(0, 20).map((d) => (
          <li key={d.id} data-testid="delivery-row">
            {fmtDateTime(d.createdAt)} · {d.event} · <strong>{d.status}</strong>
            {d.responseStatus !== null ? ` (HTTP ${d.responseStatus})` : ''}
            {d.attempts > 1 ? ` · ${d.attempts} attempts` : ''}
            {d.lastError && d.status !== 'delivered' ? <div className="text-bad">{d.lastError}</div> : null}
          </li>
        ))}
      </ul>
    </details>
  )
}

function NewChannel({ onCreated }: { onCreated: () => void }) {
  const { project, onUnauthorized } = useSession()
  const [kind, setKind] = useState<Kind>('webhook')
  const [name, setName] = useState('')
  const [config, setConfig] = useState<Record<string, string>>({})
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  async function submit() {
    setBusy(true)
    setError(null)
    try {
      const cfg = Object.fromEntries(Object.entries(config).filter(([, v]) => v.trim() !== ''))
      await createChannel({ kind, name, config: cfg, ...(project ? { project } : {}) } as ChannelInput)
      setName('')
      setConfig({})
      onCreated()
    } catch (err) {
      if (isUnauthorized(err)) return onUnauthorized()
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form
      className="filters mt"
      data-testid="channel-form"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <label className="field filter">
        <span>Kind</span>
        <select
          value={kind}
          data-testid="channel-kind"
          onChange={(e) => {
            setKind(e.target.value as Kind)
            setConfig({})
          }}
        >
          <option value="webhook">Webhook (Alertmanager format)</option>
          <option value="slack">Slack</option>
          <option value="pagerduty">PagerDuty</option>
        </select>
      </label>
      <label className="field filter">
        <span>Name</span>
        <input
          value={name}
          data-testid="channel-name"
          placeholder="on-call"
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      {FIELDS[kind].map((f) => (
        <label key={f.key} className="field filter">
          <span>{f.label}</span>
          <input
            type={f.secret ? 'password' : 'text'}
            autoComplete="off"
            value={config[f.key] ?? ''}
            placeholder={f.placeholder}
            data-testid={`channel-${f.key}`}
            onChange={(e) => setConfig({ ...config, [f.key]: e.target.value })}
          />
        </label>
      ))}
      <button type="submit" className="primary" disabled={busy} data-testid="channel-create">
        {busy ? 'Adding…' : 'Add channel'}
      </button>
      {error ? (
        <div className="banner banner-error" role="alert" data-testid="channel-error">
          {error}
        </div>
      ) : null}
    </form>
  )
}

/** Where notifications go: add, test, watch deliveries and failures, delete. */
export function ChannelsCard({ channels, onChanged }: { channels: Channel[]; onChanged: () => void }) {
  const { project, onUnauthorized } = useSession()
  const [results, setResults] = useState<Record<string, string>>({})
  async function act(c: Channel, what: 'test' | 'delete') {
    try {
      if (what === 'delete') {
        if (!window.confirm(`Delete the channel "${c.name}"? Rules stop notifying it.`)) return
        await deleteChannel(project, c.id)
        onChanged()
        return
      }
      setResults({ ...results, [c.id]: 'sending…' })
      const r = await testChannel(project, c.id)
      const text =
        r.status === 'delivered'
          ? `test delivered (HTTP ${r.responseStatus})`
          : `test failed: ${r.lastError ?? r.status}`
      setResults((prev) => ({ ...prev, [c.id]: text }))
      onChanged()
    } catch (err) {
      if (isUnauthorized(err)) return onUnauthorized()
      setResults((prev) => ({ ...prev, [c.id]: `${what} failed: ${errorMessage(err)}` }))
    }
  }
  return (
    <section className="card" data-testid="channels">
      <header className="card-head">
        <h2>Notification channels</h2>
        <span className="muted">webhook, Slack or PagerDuty; secrets are stored, never shown again</span>
      </header>
      {channels.length === 0 ? (
        <Empty title="No notification channels">
          Alerts still show here; nobody is paged until a channel exists.
        </Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Target</th>
              <th>Deliveries</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => (
              <tr key={c.id} data-testid="channel-row">
                <td>{c.name}</td>
                <td>{c.kind}</td>
                <td className="small">
                  {Object.entries(c.config)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join(' · ')}
                </td>
                <td>
                  <Deliveries key={`${c.id}:${results[c.id] ?? ''}`} channel={c} />
                </td>
                <td className="nowrap">
                  <button type="button" data-testid="channel-test" onClick={() => void act(c, 'test')}>
                    Send test
                  </button>{' '}
                  <button type="button" data-testid="channel-delete" onClick={() => void act(c, 'delete')}>
                    Delete
                  </button>
                  {results[c.id] ? (
                    <div className="small" data-testid="channel-test-result">
                      {results[c.id]}
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewChannel onCreated={onChanged} />
    </section>
  )
}
