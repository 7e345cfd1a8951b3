import type { ProjectSettings, RedactionKind, SettingsResponse } from '@leash/shared'
import { ProjectSettings as ProjectSettingsSchema } from '@leash/shared'
import type { FormEvent } from 'react'
import { useEffect, useMemo, useState } from 'react'
import { errorMessage, getSettings, isUnauthorized, putSettings } from '../api/client.ts'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'

const KINDS: RedactionKind[] = ['email', 'phone', 'card', 'api_key']
type SaveState =
  | { state: 'idle' }
  | { state: 'saving' }
  | { state: 'saved' }
  | { state: 'error'; message: string }

function SaveStatus({ save, testPrefix }: { save: SaveState; testPrefix: string }) {
  if (save.state === 'saved') {
    return (
      <span className="save-ok" role="status" data-testid={`${testPrefix}-saved`}>
        Saved.
      </span>
    )
  }
  if (save.state === 'error') {
    return (
      <div className="banner banner-error" role="alert" data-testid={`${testPrefix}-error`}>
        {save.message}
      </div>
    )
  }
  return null
}

/** One PUT, the server's validation message shown as is (it names the field). */
function useSave(project: string, onSaved: (r: SettingsResponse) => void) {
  const { onUnauthorized } = useSession()
  const [save, setSave] = useState<SaveState>({ state: 'idle' })
  async function run(body: unknown) {
    setSave({ state: 'saving' })
    try {
      onSaved(await putSettings(project, body))
      setSave({ state: 'saved' })
    } catch (err) {
      if (isUnauthorized(err)) return onUnauthorized()
      setSave({ state: 'error', message: `Not saved: ${errorMessage(err)}` })
    }
  }
  return { save, setSave, run }
}

function RetentionForm({
  settings,
  project,
  onSaved,
}: {
  settings: ProjectSettings
  project: string
  onSaved: (r: SettingsResponse) => void
}) {
  const [days, setDays] = useState(String(settings.retentionDays))
  const [enabled, setEnabled] = useState(settings.redaction.enabled)
  const [kinds, setKinds] = useState<RedactionKind[]>(settings.redaction.kinds)
  const { save, setSave, run } = useSave(project, onSaved)
  // Follow saves made in the JSON editor.
  useEffect(() => {
    setDays(String(settings.retentionDays))
    setEnabled(settings.redaction.enabled)
    setKinds(settings.redaction.kinds)
  }, [settings])

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const n = days.trim() === '' ? Number.NaN : Number(days)
    // A non-number cannot travel as JSON; anything else goes to the server, which owns validation.
    if (!Number.isFinite(n))
      return setSave({ state: 'error', message: 'Not saved: retention must be a number of days' })
    void run({ retentionDays: n, redaction: { enabled, kinds } })
  }

  return (
    <form className="card form-card" onSubmit={submit} data-testid="settings-retention-form">
      <header className="card-head">
        <h2>Retention and redaction</h2>
      </header>
      <div className="form-grid">
        <label className="field">
          <span>
            Keep raw responses for <span className="muted">· days, 1–3650</span>
          </span>
          <input
            inputMode="numeric"
            data-testid="settings-retention"
            value={days}
            onChange={(e) => {
              setDays(e.target.value)
              setSave({ state: 'idle' })
            }}
          />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Redact personal data before storing prompts and responses
      </label>
      <fieldset className="checks" disabled={!enabled}>
        <legend>Redact</legend>
        {KINDS.map((k) => (
          <label key={k} className="check">
            <input
              type="checkbox"
              checked={kinds.includes(k)}
              onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))}
            />
            {k.replace('_', ' ')}
          </label>
        ))}
      </fieldset>
      <div className="form-actions">
        <button
          type="submit"
          className="primary"
          disabled={save.state === 'saving'}
          data-testid="settings-form-save"
        >
          {save.state === 'saving' ? 'Saving…' : 'Save'}
        </button>
        <SaveStatus save={save} testPrefix="settings-form" />
      </div>
    </form>
  )
}

function jsonIssues(text: string): { parsed: unknown; error: string | null; schemaIssues: string[] } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    return { parsed: undefined, error: `Invalid JSON: ${errorMessage(err)}`, schemaIssues: [] }
  }
  const check = ProjectSettingsSchema.safeParse(parsed)
  const schemaIssues = check.success
    ? []
    : check.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
  return { parsed, error: null, schemaIssues }
}

function JsonEditor({
  settings,
  project,
  onSaved,
}: {
  settings: ProjectSettings
  project: string
  onSaved: (r: SettingsResponse) => void
}) {
  const pretty = useMemo(() => JSON.stringify(settings, null, 2), [settings])
  const [text, setText] = useState(pretty)
  const { save, setSave, run } = useSave(project, onSaved)
  useEffect(() => setText(pretty), [pretty])
  const check = useMemo(() => jsonIssues(text), [text])

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (check.error) return setSave({ state: 'error', message: `Not saved: ${check.error}` })
    void run(check.parsed)
  }

  return (
    <form className="card form-card" onSubmit={submit} data-testid="settings-json-form">
      <header className="card-head">
        <h2>All settings (JSON)</h2>
        <span className="muted">
          routes, prices (USD per million tokens), redaction, retention, reward model
        </span>
      </header>
      <textarea
        aria-label="Project settings as JSON"
        data-testid="settings-json"
        rows={Math.min(32, Math.max(12, text.split('\n').length + 1))}
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          setSave({ state: 'idle' })
        }}
      />
      <div className="json-status" aria-live="polite" data-testid="settings-json-status">
        {check.error ? (
          <span className="text-bad">{check.error}</span>
        ) : check.schemaIssues.length > 0 ? (
          <span className="text-warn">
            The server will reject this: {check.schemaIssues.slice(0, 3).join('; ')}
            {check.schemaIssues.length > 3 ? ` (+${check.schemaIssues.length - 3} more)` : ''}
          </span>
        ) : (
          <span className="muted">Valid settings.</span>
        )}
      </div>
      <div className="form-actions">
        <button
          type="submit"
          className="primary"
          disabled={save.state === 'saving'}
          data-testid="settings-save"
        >
          {save.state === 'saving' ? 'Saving…' : 'Save JSON'}
        </button>
        <button type="button" onClick={() => setText(pretty)} disabled={text === pretty}>
          Revert
        </button>
        <SaveStatus save={save} testPrefix="settings" />
      </div>
    </form>
  )
}

function Summary({ settings }: { settings: ProjectSettings }) {
  const prices = Object.entries(settings.prices)
  const reward = settings.scoring.reward
  const shadow = settings.scoring.shadowReward
  const refText = (r: ProjectSettings['scoring']['reward']) =>
    r.kind === 'builtin'
      ? 'built-in'
      : r.kind === 'onnx'
        ? `ONNX at ${r.path}${r.input ? ` (${r.input} input)` : ''}`
        : `remote ${r.url}`
  return (
    <section className="card" data-testid="settings-summary">
      <header className="card-head">
        <h2>Routing, prices and scoring</h2>
        <span className="muted">edit in the JSON below</span>
      </header>
      <div className="summary-grid">
        <div>
          <h3>Routes</h3>
          {settings.routes.length === 0 ? (
            <p className="muted">No routes: every model goes to the default upstream.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Route</th>
                  <th>Models</th>
                  <th>Upstreams, in order</th>
                </tr>
              </thead>
              <tbody>
                {settings.routes.map((r) => (
                  <tr key={r.name}>
                    <td>{r.name}</td>
                    <td>{r.models.join(', ')}</td>
                    <td>{r.upstreams.map((u) => u.name).join(' → ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3>Price overrides · USD per million tokens</h3>
          {prices.length === 0 ? (
            <p className="muted">None: the built-in price table applies.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Model</th>
                  <th className="num">Input</th>
                  <th className="num">Cached input</th>
                  <th className="num">Output</th>
                </tr>
              </thead>
              <tbody>
                {prices.map(([model, p]) => (
                  <tr key={model}>
                    <td>{model}</td>
                    <td className="num">{p.input}</td>
                    <td className="num">{p.cachedInput ?? '—'}</td>
                    <td className="num">{p.output}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3 className="mt">Reward model</h3>
          <p>
            {refText(reward)}
            {shadow ? <span className="muted"> · shadow: {refText(shadow)}</span> : null}
          </p>
        </div>
      </div>
    </section>
  )
}

export function SettingsPage() {
  const { project, current } = useSession()
  const res = useApi(`settings:${project}`, () => getSettings(project), { enabled: project !== '' })
  // The answer to the last save wins over the loaded copy, for this project only.
  const [saved, setSaved] = useState<{ project: string; res: SettingsResponse } | null>(null)
  const data = saved?.project === project ? saved.res : res.data
  const onSaved = (r: SettingsResponse) => setSaved({ project, res: r })

  return (
    <>
      <PageHeader title="Settings" sub={current ? `Project ${current.name} (${current.slug})` : undefined} />
      {project === '' ? <Empty title="No project">There is no project to configure yet.</Empty> : null}
      {res.error && !data ? <ErrorBanner message={res.error} onRetry={() => void res.reload()} /> : null}
      {res.loading && !data ? <Loading height={300} /> : null}
      {data ? (
        <div key={data.projectId} className="stack">
          <Summary settings={data.settings} />
          <RetentionForm settings={data.settings} project={project} onSaved={onSaved} />
          <JsonEditor settings={data.settings} project={project} onSaved={onSaved} />
        </div>
      ) : null}
    </>
  )
}
