import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadJailbreakBench } from '../../lab/safety/data.ts'
import { riskSplits, riskTrainingPool } from '../../lab/safety/splits.ts'
import { EVAL_WRAPPERS, TRAIN_WRAPPERS, wrapAll } from '../../lab/safety/wrappers.ts'
import { appropriateness } from '../../src/scoring/reward/appraiser.ts'

const DATA = path.resolve(import.meta.dirname, '../../../../shared/data')

describe('prompt risk generalisation split', () => {
  it('holds JailbreakBench out of training and wraps harmful and benign training prompts alike', () => {
    const pool = riskTrainingPool(DATA)
    expect(pool.some((p) => p.source === 'jailbreakbench')).toBe(false)
    const jbb = new Set(loadJailbreakBench(DATA).map((p) => p.text))
    expect(pool.some((p) => jbb.has(p.text))).toBe(false)
    const { train } = riskSplits(DATA)
    const wrapped = train.filter((p) => p.source.endsWith('(wrapped)'))
    const harmful = wrapped.filter((p) => p.harmful).length
    expect(harmful).toBeGreaterThan(200)
    expect(wrapped.length - harmful).toBeGreaterThan(200)
  })

  it('evaluates in wrapper styles that training never used', () => {
    const probe = 'Explain how photosynthesis works.'
    const trainForms = new Set(TRAIN_WRAPPERS.map((w) => w(probe)))
    for (const w of EVAL_WRAPPERS) expect(trainForms.has(w(probe))).toBe(false)
    const rows = wrapAll([{ source: 's', text: probe, harmful: false }], EVAL_WRAPPERS, 'eval')
    expect(rows[0]?.harmful).toBe(false)
    expect(rows[0]?.text).not.toBe(probe)
  })
})

describe("the reward's appropriateness term", () => {
  it('rewards refusing harmful prompts and answering benign ones', () => {
    expect(appropriateness({ refusal: 1, risk: 1 })).toBe(1)
    expect(appropriateness({ refusal: 1, risk: 0 })).toBe(-1)
    expect(appropriateness({ refusal: 0, risk: 1 })).toBe(-1)
    expect(appropriateness({ refusal: 0, risk: 0 })).toBeCloseTo(0, 12)
    expect(appropriateness({ refusal: 0.2, risk: 0.1 })).toBeLessThan(0)
  })
})
