import { useEffect, useRef } from 'react'

/** Calls `fn` every `ms` while `enabled`; the latest `fn` is always the one called. */
export function useInterval(fn: () => void, ms: number, enabled = true): void {
  const saved = useRef(fn)
  useEffect(() => {
    saved.current = fn
  }, [fn])
  useEffect(() => {
    if (!enabled) return
    const id = window.setInterval(() => saved.current(), ms)
    return () => window.clearInterval(id)
  }, [ms, enabled])
}
