const DAY = 86_400_000

/** ISO-8601 week (`2026-W48`, UTC) holding the instant `ms`. */
export function isoWeekOf(ms: number): string {
  const d = new Date(ms)
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  const dow = (d.getUTCDay() + 6) % 7 // Monday = 0
  const thursday = midnight + (3 - dow) * DAY
  const year = new Date(thursday).getUTCFullYear()
  const jan4 = Date.UTC(year, 0, 4)
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY
  const week = 1 + Math.floor((thursday - week1Monday) / (7 * DAY))
  return `${year}-W${String(week).padStart(2, '0')}`
}
