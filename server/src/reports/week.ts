import { type IsoWeekRange, isoWeekOf, isoWeekRange } from '@leash/shared'
import { LeashError } from '../errors.ts'

export { type IsoWeekRange, isoWeekOf } from '@leash/shared'

/** `2026-W48` → [Monday 00:00 UTC, next Monday 00:00 UTC). */
export function parseIsoWeek(text: string): IsoWeekRange {
  const r = isoWeekRange(text)
  if (r === 'malformed') throw new LeashError('bad_request', `week must look like 2026-W48, got '${text}'`)
  if (r === 'missing') throw new LeashError('bad_request', `${text} does not exist`)
  return r
}

/** The last complete ISO week before `now`: what "this week's report" covers on a Monday morning. */
export function lastCompleteWeek(now: number): IsoWeekRange {
  return isoWeekOf(isoWeekOf(now).from - 1)
}
