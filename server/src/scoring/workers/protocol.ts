import type { ScoreInput, ScoreValue } from '../scorer.ts'
import type { BuiltinScorerName } from './catalog.ts'

/** Messages between the pool and its worker threads: plain JSON-compatible objects only. */
export interface WorkerInit {
  scorers: BuiltinScorerName[]
}

export interface ScorerInfo {
  name: string
  version: string
}

export type ToWorker =
  | { type: 'score'; id: number; names: string[]; inputs: ScoreInput[] }
  /** Test hook: makes the worker exit abruptly, as a crash would. */
  | { type: 'crash' }

export type ScorerOutcome = { ok: true; results: ScoreValue[][] } | { ok: false; error: string }

export type FromWorker =
  /** `failed`: scorers that could not load in this thread (their batches fail with this error). */
  | { type: 'ready'; scorers: ScorerInfo[]; failed: { name: string; error: string }[] }
  | { type: 'init_error'; error: string }
  | { type: 'result'; id: number; outcomes: Record<string, ScorerOutcome> }
