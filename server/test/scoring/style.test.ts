import { describe, expect, it } from 'vitest'
import type { ScoreInput } from '../../src/scoring/scorer.ts'
import { approxTokens, distinctN, scoreStyle, styleMarkers } from '../../src/scoring/style/index.ts'

function input(response: string): ScoreInput {
  return { prompt: 'q', messages: [], response, sources: [], tools: [], toolCalls: [] }
}

const PROSE =
  'The Eiffel Tower was completed in 1889 for the World Fair in Paris. It is 330 metres tall and was the ' +
  'tallest man-made structure in the world for 41 years, until the Chrysler Building in New York was finished.'

describe('style markers', () => {
  it('approximates token counts of English prose within the usual BPE range', () => {
    // cl100k counts 52 tokens for PROSE; a word-based estimate must be in the same range.
    const t = approxTokens(PROSE)
    expect(t).toBeGreaterThan(40)
    expect(t).toBeLessThan(60)
    expect(approxTokens('')).toBe(0)
    expect(approxTokens('hello world')).toBe(2)
    expect(approxTokens('你好世界')).toBe(4)
    // Long identifiers cost more than one token.
    expect(approxTokens('internationalization')).toBeGreaterThan(2)
  })

  it('finds no hedges, apologies or sycophancy in neutral factual prose', () => {
    const m = styleMarkers(PROSE)
    expect(m.hedgesPer100Words).toBe(0)
    expect(m.apologies).toBe(0)
    expect(m.sycophancy).toBe(0)
  })

  it('counts hedges per 100 words, apologies and sycophancy phrases', () => {
    const text =
      "Great question! You're absolutely right to ask. I'm sorry for the confusion earlier. " +
      'I think the answer is probably 42, but it might be 43; perhaps check the source.'
    const m = styleMarkers(text)
    expect(m.sycophancy).toBe(2)
    expect(m.apologies).toBe(1)
    // "i think", "probably", "might be", "perhaps" over 29 words.
    expect(m.words).toBe(29)
    expect(m.hedgesPer100Words).toBeCloseTo((100 * 4) / 29, 5)
  })

  it('handles curly quotes in contractions', () => {
    expect(styleMarkers('You’re absolutely right, I’m not sure why.').sycophancy).toBe(1)
    expect(styleMarkers('You’re absolutely right, I’m not sure why.').hedgesPer100Words).toBeGreaterThan(0)
  })

  it('computes distinct-1 and distinct-2; a repeated template scores low', () => {
    expect(distinctN(['a', 'b', 'c', 'd'])).toEqual({ d1: 1, d2: 1 })
    expect(distinctN(['x'])).toEqual({ d1: 1, d2: 1 })
    const repeated = styleMarkers('I can help with that. '.repeat(20))
    const varied = styleMarkers(PROSE)
    expect(repeated.distinct2).toBeLessThan(0.1)
    expect(varied.distinct2).toBeGreaterThan(0.9)
  })

  it('counts markdown structure', () => {
    const md =
      '# Title\n\nSome text.\n\n- one\n- two\n* three\n1. first\n2) second\n\n```ts\nconst a = 1\n```\n'
    const m = styleMarkers(md)
    expect(m.headings).toBe(1)
    expect(m.listItems).toBe(5)
    expect(m.codeBlocks).toBe(1)
  })

  it('writes the canonical score names', () => {
    const names = scoreStyle(input(PROSE)).map((s) => s.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'length_tokens',
        'hedges',
        'apologies',
        'sycophancy',
        'distinct_2',
        'distinct_1',
      ]),
    )
    for (const s of scoreStyle(input(''))) expect(Number.isFinite(s.value)).toBe(true)
  })
})
