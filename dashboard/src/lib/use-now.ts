import { useState } from 'react'
import { useInterval } from './use-interval.ts'

/** The current time, ticking every `ms` (for "updated 3s ago" labels). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useInterval(() => setNow(Date.now()), ms)
  return now
}

export function ageSeconds(updatedAt: number | null, now: number): number | null {
  return updatedAt === null ? null : Math.max(0, (now - updatedAt) / 1000)
}
