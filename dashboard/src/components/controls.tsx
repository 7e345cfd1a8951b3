import { fmtAgo } from '../lib/format.ts'
import type { RangeKey } from '../lib/range.ts'
import { RANGES } from '../lib/range.ts'

export function RangePicker({ range, onRange }: { range: RangeKey; onRange: (key: RangeKey) => void }) {
  return (
    <fieldset className="segmented" data-testid="range-picker">
      <legend className="sr-only">Time range</legend>
      {RANGES.map((r) => (
        <button
          key={r.key}
          type="button"
          className={r.key === range ? 'active' : ''}
          aria-pressed={r.key === range}
          onClick={() => onRange(r.key)}
        >
          {r.label}
        </button>
      ))}
    </fieldset>
  )
}

interface RefreshProps {
  /** Seconds since the last successful refresh, null before the first. */
  age: number | null
  paused: boolean
  onPaused: (paused: boolean) => void
}

/** "updated 3s ago" and a pause button for pages that refresh themselves. */
export function RefreshControls({ age, paused, onPaused }: RefreshProps) {
  return (
    <>
      <span className="muted refresh" data-testid="updated-ago" aria-live="off">
        {age === null ? 'loading…' : `updated ${fmtAgo(age)}`}
        {paused ? ' · paused' : ''}
      </span>
      <button
        type="button"
        data-testid="pause-toggle"
        aria-pressed={paused}
        onClick={() => onPaused(!paused)}
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
    </>
  )
}
