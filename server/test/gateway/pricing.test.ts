import { describe, expect, it } from 'vitest'
import { costUsd, PRICE_TABLE, priceFor } from '../../src/pricing/index.ts'

const price = (m: string) => PRICE_TABLE[m]

describe('price table', () => {
  it('has the demo models and well-formed prices', () => {
    for (const m of ['leash-demo-mini', 'leash-demo-pro', 'leash-demo-embed']) expect(price(m)).toBeDefined()
    expect(Object.keys(PRICE_TABLE).length).toBeGreaterThan(40)
    for (const p of Object.values(PRICE_TABLE)) expect(p.cachedInput ?? 0).toBeLessThanOrEqual(p.input)
  })
})

describe('priceFor', () => {
  it('matches exactly, then without a dated suffix, then by the longest prefix', () => {
    expect(priceFor('gpt-4o')).toBe(price('gpt-4o'))
    expect(priceFor('gpt-4o-2024-08-06')).toBe(price('gpt-4o'))
    expect(priceFor('gpt-4o-mini-2024-07-18')).toBe(price('gpt-4o-mini'))
    expect(priceFor('claude-3-5-sonnet-20241022')).toBe(price('claude-3-5-sonnet'))
    // Opus 4.5 has its own (lower) price, not the `claude-opus-4` family's it would prefix-match.
    expect(priceFor('claude-opus-4-5-20251101')).toBe(price('claude-opus-4-5'))
    expect(priceFor('claude-3-5-sonnet@20240620')).toBe(price('claude-3-5-sonnet'))
    expect(priceFor('mistral-large-latest')).toBe(price('mistral-large'))
    expect(priceFor('gpt-4-0613')).toBe(price('gpt-4'))
    expect(priceFor('gpt-4o-mini-search-preview')).toBe(price('gpt-4o-mini'))
    expect(priceFor('o1-mini-2024-09-12')).toBe(price('o1-mini'))
    expect(priceFor('GPT-4o')).toBe(price('gpt-4o'))
    expect(priceFor('openai/gpt-4.1-mini')).toBe(price('gpt-4.1-mini'))
    expect(priceFor('Meta-Llama/Llama-3.3-70B-Instruct-Turbo')).toBe(
      price('meta-llama/llama-3.3-70b-instruct-turbo'),
    )
  })

  it('does not match across a name boundary, and returns null for unknown models', () => {
    expect(priceFor('gpt-4o')).not.toBe(price('gpt-4'))
    expect(priceFor('gpt-4.5-preview')).toBeNull()
    expect(priceFor('totally-unknown')).toBeNull()
  })

  it('lets project overrides win', () => {
    const overrides = { 'gpt-4o': { input: 1, output: 1 }, 'my-ft': { input: 5, output: 6 } }
    expect(priceFor('gpt-4o-2024-08-06', overrides)).toEqual({ input: 1, output: 1 })
    expect(priceFor('my-ft-v2', overrides)).toEqual({ input: 5, output: 6 })
    expect(priceFor('gpt-4o-mini', overrides)).toBe(price('gpt-4o-mini'))
  })
})

describe('costUsd', () => {
  it('charges cached prompt tokens at the cached price and the rest at input', () => {
    const p = { input: 2, cachedInput: 0.5, output: 8 }
    expect(costUsd({ promptTokens: 1000, cachedTokens: 400, completionTokens: 100 }, p)).toBeCloseTo(
      (600 * 2 + 400 * 0.5 + 100 * 8) / 1e6,
      12,
    )
    expect(
      costUsd({ promptTokens: 10, cachedTokens: 10, completionTokens: 0 }, { input: 2, output: 8 }),
    ).toBeCloseTo(20 / 1e6, 12)
    expect(costUsd(null, p)).toBe(0)
    expect(costUsd({ promptTokens: 1, cachedTokens: 0, completionTokens: 1 }, null)).toBe(0)
  })
})
