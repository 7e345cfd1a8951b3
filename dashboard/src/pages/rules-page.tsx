import type { AlertRule } from '@leash/shared'
import { useState } from 'react'
import {
  createRule,
  deleteRule,
  errorMessage,
  isUnauthorized,
  listChannels,
  listRules,
  metricCatalog,
  updateRule,
} from '../api/client.ts'
import { SeverityPill } from '../components/alert-bits.tsx'
import { ChannelsCard } from '../components/channels-card.tsx'
import { RuleEditor } from '../components/rule-editor.tsx'
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/states.tsx'
import { fmtDateTime } from '../lib/format.ts'
import type { RuleForm } from '../lib/rule-form.ts'
import { describeSpec, EMPTY_RULE, fromRule, toRuleInput } from '../lib/rule-form.ts'
import { useSession } from '../lib/session.tsx'
import { useApi } from '../lib/use-api.ts'
import { AlertTabs } from './alerts-page.tsx'

type Editing = { mode: 'create' } | { mode: 'edit'; rule: AlertRule } | null

/** Alert rules (list, create, edit, delete) and where notifications go. */
export function RulesPage() {
  const { project, onUnauthorized } = useSession()
  const rules = useApi(`rules:${project}`, () => listRules(project))
  const channels = useApi(`channels:${project}`, () => listChannels(project))
  const catalog = useApi('catalog', metricCatalog)
  const [editing, setEditing] = useState<Editing>(null)
  const [issues, setIssues] = useState<string[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const metricNames = (catalog.data?.items ?? []).map((m) => m.name)
  const channelList = channels.data ?? []

  async function save(form: RuleForm) {
    const parsed = toRuleInput(form, project)
    if (!parsed.ok) return setIssues(parsed.issues)
    setBusy(true)
    setIssues([])
    try {
      if (editing?.mode === 'edit') await updateRule(editing.rule.id, parsed.body)
      else await createRule(parsed.body)
      setEditing(null)
      await rules.reload()
    } catch (err) {
      if (isUnauthorized(err)) return onUnauthorized()
      setIssues([errorMessage(err)])
    } finally {
      setBusy(false)
    }
  }

  async function remove(rule: AlertRule) {
    if (!window.confirm(`Delete the rule "${rule.name}"? Its alerts go with it.`)) return
    setError(null)
    try {
      await deleteRule(project, rule.id)
      if (editing?.mode === 'edit' && editing.rule.id === rule.id) setEditing(null)
      await rules.reload()
    } catch (err) {
      if (isUnauthorized(err)) return onUnauthorized()
      setError(`Could not delete: ${errorMessage(err)}`)
    }
  }

  const open = (next: Editing) => {
    setIssues([])
    setEditing(next)
  }

  return (
    <>
      <PageHeader title="Alerts" sub="Rules decide what fires; channels decide who hears about it">
        <button
          type="button"
          className="primary"
          data-testid="rule-new"
          onClick={() => open({ mode: 'create' })}
        >
          New rule
        </button>
      </PageHeader>
      <AlertTabs active="rules" />
      {editing ? (
        <RuleEditor
          key={editing.mode === 'edit' ? editing.rule.id : 'new'}
          title={editing.mode === 'edit' ? `Edit rule "${editing.rule.name}"` : 'New rule'}
          initial={editing.mode === 'edit' ? fromRule(editing.rule) : EMPTY_RULE}
          metricNames={metricNames}
          channels={channelList}
          busy={busy}
          issues={issues}
          onSubmit={(f) => void save(f)}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {error ? <ErrorBanner message={error} prefix="Error" /> : null}
      {rules.error ? <ErrorBanner message={rules.error} onRetry={() => void rules.reload()} /> : null}
      {rules.loading ? <Loading /> : null}
      {rules.data ? (
        <section className="card" data-testid="rules">
          <header className="card-head">
            <h2>Rules</h2>
            <span className="muted">
              {rules.data.length} rule{rules.data.length === 1 ? '' : 's'}
            </span>
          </header>
          {rules.data.length === 0 ? (
            <Empty title="No alert rules">Create one with “New rule”.</Empty>
          ) : (
            <table className="table" data-testid="rules-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Condition</th>
                  <th>Window · every</th>
                  <th>Severity</th>
                  <th>Group by</th>
                  <th>Channels</th>
                  <th>State</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rules.data.map((r) => (
                  <tr key={r.id} data-testid="rule-row">
                    <td>
                      {r.name}
                      <div className="muted small">updated {fmtDateTime(r.updatedAt)}</div>
                    </td>
                    <td className="small">
                      <code>{describeSpec(r.spec)}</code>
                    </td>
                    <td className="nowrap">
                      {r.window} · {r.interval}
                    </td>
                    <td>
                      <SeverityPill severity={r.severity} />
                    </td>
                    <td className="small">{r.groupBy.length ? r.groupBy.join(', ') : '—'}</td>
                    <td className="small">
                      {r.channels.length === 0
                        ? '—'
                        : r.channels.map((id) => channelList.find((c) => c.id === id)?.name ?? id).join(', ')}
                    </td>
                    <td>{r.enabled ? 'enabled' : <span className="muted">disabled</span>}</td>
                    <td className="nowrap">
                      <button
                        type="button"
                        onClick={() => open({ mode: 'edit', rule: r })}
                        data-testid="rule-edit"
                      >
                        Edit
                      </button>{' '}
                      <button type="button" onClick={() => void remove(r)} data-testid="rule-delete">
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
      {channels.error ? <ErrorBanner message={channels.error} prefix="Could not load the channels" /> : null}
      {channels.data ? (
        <ChannelsCard channels={channelList} onChanged={() => void channels.reload()} />
      ) : null}
    </>
  )
}
