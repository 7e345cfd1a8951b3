import type { InstanceState } from '@leash/shared'

/** What one evaluation said about one label set. `hold` = between the breach and clear thresholds. */
export type Outcome = 'bad' | 'good' | 'hold' | 'insufficient' | 'error'

export interface InstanceSnapshot {
  state: InstanceState
  /** The state InsufficientData / EvalError hold; the machine resumes from it. */
  heldState: InstanceState | null
  since: number
  badCount: number
  goodCount: number
  /** Epoch ms of each entry into Firing within the last hour. */
  flips: number[]
}

export interface MachineParams {
  /** Consecutive bad evaluations before firing. */
  forN: number
  /** How long a recovered instance keeps firing before it goes Normal. */
  keepFiringForMs: number
}

export interface Transition {
  next: InstanceSnapshot
  /** Effective states (InsufficientData / EvalError resolved to the state they hold). */
  from: InstanceState
  to: InstanceState
  /** Entered Firing from Normal or Pending: an incident opens (or regresses). */
  fired: boolean
  /** Left Firing/Recovering for Normal: the incident may resolve. */
  cleared: boolean
  /** Entered EvalError from anything else: loud. */
  errored: boolean
}

export const FLIP_WINDOW_MS = 3_600_000
export const FLAPPING_FLIPS = 3

export const initialSnapshot = (now: number): InstanceSnapshot => ({
  state: 'Normal',
  heldState: null,
  since: now,
  badCount: 0,
  goodCount: 0,
  flips: [],
})

/** The state that counts for incidents: a held state shows through InsufficientData and EvalError. */
export function effectiveState(s: Pick<InstanceSnapshot, 'state' | 'heldState'>): InstanceState {
  if (s.state === 'InsufficientData' || s.state === 'EvalError') return s.heldState ?? 'Normal'
  return s.state
}

export const isFiringState = (s: InstanceState): boolean => s === 'Firing' || s === 'Recovering'

/**
 * Normal -> Pending -> Firing -> Recovering -> Normal. Missing data never reads as "good": it
 * parks the instance in InsufficientData holding its state, and a failed query parks it in EvalError.
 */
export function transition(s: InstanceSnapshot, outcome: Outcome, now: number, p: MachineParams): Transition {
  const from = effectiveState(s)
  const flips = s.flips.filter((t) => t > now - FLIP_WINDOW_MS)
  const base = { ...s, flips }
  if (outcome === 'insufficient' || outcome === 'error') {
    const state: InstanceState = outcome === 'error' ? 'EvalError' : 'InsufficientData'
    const next = { ...base, state, heldState: from, since: s.state === state ? s.since : now }
    return {
      next,
      from,
      to: from,
      fired: false,
      cleared: false,
      errored: state === 'EvalError' && s.state !== state,
    }
  }
  let to: InstanceState = from
  let badCount = s.badCount
  let goodCount = s.goodCount
  let since = s.state === from ? s.since : now
  const enter = (st: InstanceState) => {
    if (st !== to || s.state !== st) since = now
    to = st
  }
  switch (from) {
    case 'Normal':
    case 'Pending':
      if (outcome === 'bad') {
        badCount = from === 'Normal' ? 1 : badCount + 1
        enter(badCount >= p.forN ? 'Firing' : 'Pending')
      } else if (outcome === 'good' || from === 'Normal') {
        badCount = 0
        enter('Normal')
      }
      break
    case 'Firing':
      if (outcome === 'good') {
        goodCount = 1
        enter(p.keepFiringForMs > 0 ? 'Recovering' : 'Normal')
      }
      break
    case 'Recovering':
      if (outcome === 'bad') {
        goodCount = 0
        enter('Firing')
      } else {
        // Already below the clear threshold once; only a new breach returns it to Firing.
        goodCount += 1
        if (now - s.since >= p.keepFiringForMs) enter('Normal')
      }
      break
    default:
      break
  }
  if (to === 'Normal') {
    badCount = 0
    goodCount = 0
  }
  const fired = to === 'Firing' && (from === 'Normal' || from === 'Pending')
  if (fired) flips.push(now)
  const next: InstanceSnapshot = { state: to, heldState: null, since, badCount, goodCount, flips }
  return { next, from, to, fired, cleared: to === 'Normal' && isFiringState(from), errored: false }
}
