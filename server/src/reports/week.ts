import { LeashError } from '../errors.ts'

const DAY = 86_400_000
const WEEK = 7 * DAY

/** Monday 00:00 UTC of ISO week 1 of `year` (the week holding January 4th). */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4)
  const dow = (new Date(jan4).getUTCDay() + 6) % 7 // Monday = 0
  return jan4 - dow * DAY
}

export interface IsoWeekRange {
  week: string
  from: number
  to: number
}

/** `2026-W48` → [Monday 00:00 UTC, next Monday 00:00 UTC). */
export function parseIsoWeek(text: string): IsoWeekRange {
  const m = /^(\d{4})-W(\d{2})$/.exec(text)
  if (!m) throw new LeashError('bad_request', `week must look like 2026-W48, got '${text}'`)
  const year = Number(m[1])
  const n = Number(m[2])
  const from = week1Monday(year) + (n - 1) * WEEK
  if (n < 1 || from >= week1Monday(year + 1)) throw new LeashError('bad_request', `${text} does not exist`)
  return { week: text, from, to: from + WEEK }
}

/** The ISO week holding an instant. */
export function isoWeekOf(ms: number): IsoWeekRange {
  const d = new Date(ms)
  const dow = (d.getUTCDay() + 6) % 7
  const monday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - dow * DAY
  const thursday = monday + 3 * DAY
  const year = new Date(thursday).getUTCFullYear()
  const n = Math.floor((monday - week1Monday(year)) / WEEK) + 1
  return { week: `${year}-W${String(n).padStart(2, '0')}`, from: monday, to: monday + WEEK }
}

/** The last complete ISO week before `now`: what "this week's report" covers on a Monday morning. */
export function lastCompleteWeek(now: number): IsoWeekRange {
  return isoWeekOf(isoWeekOf(now).from - 1)
}
