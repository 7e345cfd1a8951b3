/** ISO-8601 weeks in UTC (`2026-W48`), for reports on both sides of the API. */

const DAY = 86_400_000
const WEEK = 7 * DAY

export interface IsoWeekRange {
  week: string
  /** Monday 00:00 UTC. */
  from: number
  /** The next Monday 00:00 UTC. */
  to: number
}

/** Monday 00:00 UTC of ISO week 1 of `year` (the week holding January 4th). */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4)
  const dow = (new Date(jan4).getUTCDay() + 6) % 7 // Monday = 0
  return jan4 - dow * DAY
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

/** `2026-W48` → its range; 'malformed' or 'missing' (a week 53 the year lacks) otherwise. */
export function isoWeekRange(text: string): IsoWeekRange | 'malformed' | 'missing' {
  const m = /^(\d{4})-W(\d{2})$/.exec(text)
  if (!m) return 'malformed'
  const year = Number(m[1])
  const n = Number(m[2])
  const from = week1Monday(year) + (n - 1) * WEEK
  if (n < 1 || from >= week1Monday(year + 1)) return 'missing'
  return { week: text, from, to: from + WEEK }
}
