/** How each metric unit reads on an axis, in a tooltip and next to a title. */

export type Unit = 'ratio' | 'ms' | 'usd' | 'tokens' | 'score' | 'count' | 'per_second'

export const UNIT_LABEL: Record<Unit, string> = {
  ratio: '% of samples',
  ms: 'milliseconds',
  usd: 'US dollars',
  tokens: 'tokens',
  score: 'score',
  count: 'count',
  per_second: 'per second',
}

function trim(n: number, digits: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits })
}

/** A value in its unit; null (insufficient or no data) never reads as zero. */
export function fmtValue(
  value: number | null | undefined,
  unit: Unit | string,
  empty = 'insufficient data',
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return empty
  switch (unit) {
    case 'ratio':
      return `${trim(value * 100, Math.abs(value) < 0.01 ? 2 : 1)}%`
    case 'ms':
      return value >= 10_000 ? `${trim(value / 1000, 1)} s` : `${trim(value, 0)} ms`
    case 'usd':
      return `$${trim(value, Math.abs(value) < 1 ? 4 : 2)}`
    case 'tokens':
    case 'count':
      return trim(value, Math.abs(value) < 10 ? 2 : 0)
    case 'per_second':
      return `${trim(value, 2)}/s`
    default:
      return trim(value, 3)
  }
}

/** Short axis tick for a unit. */
export function fmtAxis(value: number, unit: Unit | string): string {
  switch (unit) {
    case 'ratio':
      return `${trim(value * 100, 1)}%`
    case 'ms':
      return value >= 10_000 ? `${trim(value / 1000, 0)}s` : trim(value, 0)
    case 'usd':
      return `$${trim(value, 3)}`
    default:
      return Math.abs(value) >= 1000 ? `${trim(value / 1000, 1)}k` : trim(value, 2)
  }
}
