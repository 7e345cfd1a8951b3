import { ModelPrice } from '@leash/shared'
import { z } from 'zod'
import type { ExchangeUsage } from '../exchange/record.ts'
import table from './prices.json' with { type: 'json' }

/** The repo's price table (USD per million tokens), validated once at load. */
export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = z
  .record(z.string(), ModelPrice)
  .parse(table.prices)
export const PRICE_TABLE_CHECKED_AT: string = table._meta.checkedAt

/** `-2024-08-06`, `-20241022`, `@20240620`, `-0613`, `-latest`: releases priced like their family. */
const DATED_SUFFIX = /(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest))+$/
const BOUNDARY = new Set(['-', ':', '@', '/', '_'])

interface Lookup {
  exact: Map<string, ModelPrice>
  /** Keys sorted longest first, for prefix matching. */
  keys: string[]
  memo: Map<string, ModelPrice | null>
}

function buildLookup(overrides: Record<string, ModelPrice> | undefined): Lookup {
  const exact = new Map<string, ModelPrice>()
  for (const [k, v] of Object.entries(PRICE_TABLE)) exact.set(k.toLowerCase(), v)
  for (const [k, v] of Object.entries(overrides ?? {})) exact.set(k.toLowerCase(), v)
  const keys = [...exact.keys()].sort((a, b) => b.length - a.length)
  return { exact, keys, memo: new Map() }
}

const lookups = new WeakMap<object, Lookup>()
const NO_OVERRIDES = {}

function find(l: Lookup, model: string): ModelPrice | null {
  const hit = l.exact.get(model)
  if (hit) return hit
  const undated = model.replace(DATED_SUFFIX, '')
  const dated = undated !== model ? l.exact.get(undated) : undefined
  if (dated) return dated
  for (const key of l.keys) {
    if (undated.length > key.length && undated.startsWith(key) && BOUNDARY.has(undated.charAt(key.length)))
      return l.exact.get(key) ?? null
  }
  return null
}

/**
 * The price of `model`: exact name, then without a dated suffix (`gpt-4o-2024-08-06` -> `gpt-4o`),
 * then the longest table key it starts with at a name boundary; a `provider/` prefix is tried last.
 * Project overrides win over the repo table. Case-insensitive; null when nothing matches.
 */
export function priceFor(model: string, overrides?: Record<string, ModelPrice>): ModelPrice | null {
  const owner = overrides ?? NO_OVERRIDES
  let l = lookups.get(owner)
  if (!l) {
    l = buildLookup(overrides)
    lookups.set(owner, l)
  }
  const name = model.trim().toLowerCase()
  const memo = l.memo.get(name)
  if (memo !== undefined) return memo
  let price = find(l, name)
  const slash = name.lastIndexOf('/')
  if (!price && slash !== -1) price = find(l, name.slice(slash + 1))
  if (l.memo.size < 10_000) l.memo.set(name, price)
  return price
}

/** Cost in USD: uncached prompt tokens at `input`, cached ones at `cachedInput` (or `input`), plus output. */
export function costUsd(usage: ExchangeUsage | null, price: ModelPrice | null): number {
  if (!usage || !price) return 0
  const cached = Math.min(usage.cachedTokens, usage.promptTokens)
  const uncached = usage.promptTokens - cached
  const micro =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    usage.completionTokens * price.output
  return micro / 1_000_000
}
