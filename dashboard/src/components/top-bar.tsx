import type { Me, Project } from '@leash/shared'
import { fmtAgo } from '../lib/format.ts'
import type { RangeKey } from '../lib/range.ts'
import { RANGES } from '../lib/range.ts'

interface TopBarProps {
  user: Me
  projects: Project[]
  /** Selected project id; empty means the server's default (the oldest project). */
  project: string
  onProject: (id: string) => void
  range: RangeKey
  onRange: (key: RangeKey) => void
  paused: boolean
  onPaused: (paused: boolean) => void
  /** Seconds since the last successful refresh, null before the first. */
  age: number | null
  onLogout: () => void
}

export function TopBar(props: TopBarProps) {
  const { user, projects, project, range, paused, age } = props
  return (
    <header className="topbar">
      <div className="brand">Leash</div>
      <label className="field-inline">
        <span className="muted">Project</span>
        <select
          data-testid="project-select"
          value={project || projects[0]?.id || ''}
          onChange={(e) => props.onProject(e.target.value)}
        >
          {projects.length === 0 ? <option value="">…</option> : null}
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="segmented" data-testid="range-picker">
        <legend className="sr-only">Time range</legend>
        {RANGES.map((r) => (
          <button
            key={r.key}
            type="button"
            className={r.key === range ? 'active' : ''}
            aria-pressed={r.key === range}
            onClick={() => props.onRange(r.key)}
          >
            {r.label}
          </button>
        ))}
      </fieldset>
      <div className="spacer" />
      <span className="muted refresh" data-testid="updated-ago">
        {age === null ? 'loading…' : `updated ${fmtAgo(age)}`}
        {paused ? ' · paused' : ''}
      </span>
      <button type="button" data-testid="pause-toggle" onClick={() => props.onPaused(!paused)}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <span className="muted user" title={user.role}>
        {user.email}
      </span>
      <button type="button" data-testid="logout" onClick={props.onLogout}>
        Log out
      </button>
    </header>
  )
}
