import { LeashError } from '../errors.ts'
import type { LabelFilter } from './exchange-query.ts'

/**
 * The event ids carrying every asked human label (`label.refusal=full`), for the exchange filters.
 * Labels arrive with the labels service (issue 14); until it is wired here this is a clear 400.
 */
export async function eventIdsWithLabels(_input: {
  projectId: string
  labels: LabelFilter[]
  fromMs?: number | undefined
  toMs?: number | undefined
}): Promise<string[]> {
  const first = _input.labels[0]
  throw new LeashError('bad_request', `label.${first?.name ?? '<name>'}: labels are not available`)
}
