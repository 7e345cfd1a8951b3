import type { Me, Project } from '@leash/shared'
import type { ReactNode } from 'react'
import { createContext, useContext } from 'react'

export interface Session {
  user: Me
  projects: Project[]
  /** Project ref for API calls (slug); empty = the server's default (the oldest project). */
  project: string
  /** The selected project, once the list has loaded. */
  current: Project | null
  onUnauthorized: () => void
}

const SessionContext = createContext<Session | null>(null)

export function SessionProvider({ value, children }: { value: Session; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): Session {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside <SessionProvider>')
  return s
}
