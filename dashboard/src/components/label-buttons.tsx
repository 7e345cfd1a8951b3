import { useState } from 'react'
import { errorMessage, postLabel, undoLabels } from '../api/client.ts'
import { useSession } from '../lib/session.tsx'

/**
 * Label an incident's example response in place: refused / partial / complied. Examples are picked for
 * being bad, so these labels are `targeted` (instrument health, never the corrected rates). Undo removes it.
 */
export function LabelButtons({ eventId }: { eventId: string }) {
  const { project } = useSession()
  const [saved, setSaved] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const label = async (refusal: 'full' | 'partial' | 'none') => {
    try {
      await postLabel({ eventId, project, values: { refusal }, sample: 'targeted' })
      setSaved(refusal)
      setError(null)
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  const undo = async () => {
    try {
      await undoLabels(project, eventId)
      setSaved(null)
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <span className="label-buttons" data-testid="label-buttons" data-saved={saved ?? ''}>
      {saved ? (
        <>
          <span className="muted">labelled: {saved === 'none' ? 'complied' : `${saved} refusal`}</span>{' '}
          <button type="button" onClick={() => void undo()}>
            undo
          </button>
        </>
      ) : (
        <>
          <span className="muted">label:</span>{' '}
          <button type="button" onClick={() => void label('full')}>
            refused
          </button>{' '}
          <button type="button" onClick={() => void label('partial')}>
            partial
          </button>{' '}
          <button type="button" onClick={() => void label('none')}>
            complied
          </button>
        </>
      )}
      {error ? <span className="error-text"> {error}</span> : null}
    </span>
  )
}
