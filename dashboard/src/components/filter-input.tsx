import { useEffect, useState } from 'react'

interface FilterInputProps {
  label: string
  value: string
  onCommit: (value: string) => void
  placeholder?: string
}

/** A text filter that applies on Enter or when it loses focus, not on every keystroke. */
export function FilterInput({ label, value, onCommit, placeholder = 'any' }: FilterInputProps) {
  const [draft, setDraft] = useState(value)
  useEffect(() => setDraft(value), [value])
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim())
  }
  return (
    <label className="field filter">
      <span>{label}</span>
      <input
        value={draft}
        placeholder={placeholder}
        data-testid={`filter-${label.replace(/\s+/g, '-').toLowerCase()}`}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit()
          if (e.key === 'Escape') setDraft(value)
        }}
      />
    </label>
  )
}
