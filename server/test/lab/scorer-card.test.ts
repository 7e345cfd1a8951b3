import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { type CardJson, cardJson, scorerOf } from '../../lab/card-json.ts'
import type { EvalResult } from '../../lab/eval-result.ts'

const line = (over: Partial<EvalResult>): EvalResult => ({
  metric: 'reward (built-in lin-x)',
  dataset: 'd',
  split: 's',
  rows: 10,
  measure: 'pairwise accuracy',
  value: 0.5,
  baseline: null,
  bar: null,
  ...over,
})

describe('machine-readable scorer card', () => {
  it('groups lines by score and says which miss their bar', () => {
    const json = cardJson(
      [
        line({ value: 0.85, bar: { kind: 'min', value: 0.8 } }),
        line({ dataset: 'LLMBar_Natural', value: 0.44, bar: { kind: 'min', value: 0.565 } }),
        line({
          metric: 'refusal rate per model',
          scorer: 'refusal',
          value: 2,
          bar: { kind: 'max', value: 5 },
        }),
        line({ metric: 'violation: hate', measure: 'AUC' }),
        line({
          metric: 'reward (onnx tiny-rm, example model)',
          value: 0.1,
          bar: { kind: 'min', value: 0.9 },
        }),
      ],
      'leash eval',
      'abc',
    )
    expect(json.scorers.reward).toMatchObject({ barMet: false, bars: 2, met: 1 })
    expect(json.scorers.reward?.misses).toEqual([
      { metric: 'reward (built-in lin-x)', dataset: 'LLMBar_Natural', value: 0.44, bar: 0.565, kind: 'min' },
    ])
    expect(json.scorers.reward?.summary).toMatch(/misses 1 of 2 bars.*LLMBar_Natural/)
    expect(json.scorers.refusal).toMatchObject({ barMet: true, bars: 1, met: 1 })
    expect(json.scorers.violation?.barMet).toBeNull()
    expect(scorerOf(line({ metric: 'reward (onnx tiny-rm, example model)' }))).toBeNull()
  })

  it('ships with the models and names every built-in score family', () => {
    const file = path.resolve(import.meta.dirname, '../../models/card.json')
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as CardJson
    for (const s of ['reward', 'refusal', 'false_refusal', 'prompt_risk', 'citation_support'])
      expect(typeof json.scorers[s]?.summary, s).toBe('string')
  })
})
