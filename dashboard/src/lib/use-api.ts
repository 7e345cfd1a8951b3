import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage, isUnauthorized } from '../api/client.ts'
import { useSession } from './session.tsx'
import { useInterval } from './use-interval.ts'

export interface ApiState<T> {
  data: T | null
  error: string | null
  /** True until the first answer (success or failure) for the current inputs. */
  loading: boolean
  updatedAt: number | null
  reload: () => Promise<void>
}

interface Options {
  /** Refresh period in ms; omitted = load once per change of `key`. */
  refreshMs?: number
  paused?: boolean
  /** false = don't load (e.g. a required input is missing). */
  enabled?: boolean
  /** Keep showing the previous inputs' data while the new ones load (charts: no flash to empty). */
  keepPrevious?: boolean
}

/**
 * Loads `fn()` whenever `key` changes (and every `refreshMs`); only the newest request may write
 * state, a 401 ends the session, and a failed refresh keeps the last good data next to the error.
 */
export function useApi<T>(key: string, fn: () => Promise<T>, opts: Options = {}): ApiState<T> {
  const { onUnauthorized } = useSession()
  const [state, setState] = useState<{
    key: string
    data: T | null
    error: string | null
    at: number | null
  }>({
    key: '',
    data: null,
    error: null,
    at: null,
  })
  const seq = useRef(0)
  const latest = useRef(fn)
  latest.current = fn
  const enabled = opts.enabled ?? true

  const load = useCallback(async () => {
    const mine = ++seq.current
    try {
      const data = await latest.current()
      if (mine !== seq.current) return
      setState({ key, data, error: null, at: Date.now() })
    } catch (err) {
      if (mine !== seq.current) return
      if (isUnauthorized(err)) return onUnauthorized()
      setState((prev) => ({
        key,
        data: prev.key === key ? prev.data : null,
        error: errorMessage(err),
        at: prev.key === key ? prev.at : null,
      }))
    }
  }, [key, onUnauthorized])

  useEffect(() => {
    if (enabled) void load()
  }, [load, enabled])
  useInterval(
    () => void load(),
    opts.refreshMs ?? 60_000,
    enabled && !opts.paused && opts.refreshMs !== undefined,
  )

  const fresh = state.key === key
  return {
    data: fresh || opts.keepPrevious ? state.data : null,
    error: fresh ? state.error : null,
    loading: enabled && (!fresh || (state.data === null && state.error === null)),
    updatedAt: fresh ? state.at : null,
    reload: load,
  }
}
