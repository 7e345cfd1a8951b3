import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ProjectSettings } from '@leash/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRewardScorer } from '../../src/scoring/reward/index.ts'
import { loadOnnxRewardModel, OnnxModelError, type OnnxRewardModel } from '../../src/scoring/reward/onnx.ts'
import { createTokenizer, loadTokenizer, type Tokenizer } from '../../src/scoring/reward/tokenizer.ts'
import { toTranscript } from '../../src/scoring/reward/transcript.ts'
import { SCORE } from '../../src/scoring/scorer.ts'

const TINY_RM = path.resolve(import.meta.dirname, '../../../../shared/models/tiny-rm')
const metrics = JSON.parse(fs.readFileSync(path.join(TINY_RM, 'metrics.json'), 'utf8')) as {
  test_vectors: { text: string; untruncated_len: number; input_ids: number[]; score: number }[]
}
const vectors = metrics.test_vectors
const tokenizerJson = JSON.parse(fs.readFileSync(path.join(TINY_RM, 'tokenizer.json'), 'utf8'))
const tokenizerConfig = JSON.parse(fs.readFileSync(path.join(TINY_RM, 'tokenizer_config.json'), 'utf8'))

let model: OnnxRewardModel
beforeAll(async () => {
  model = await loadOnnxRewardModel(TINY_RM)
})
afterAll(async () => {
  await model?.close()
})

describe('WordPiece tokenizer from tokenizer.json (@huggingface/tokenizers)', () => {
  let tok: Tokenizer
  beforeAll(async () => {
    tok = await loadTokenizer(TINY_RM)
  })

  it('reproduces the Python input_ids of every tiny-rm test vector, with left truncation', () => {
    expect(vectors.length).toBe(4)
    expect(tok.model).toBe('WordPiece')
    expect(tok.maxLength).toBe(256)
    expect(tok.padId).toBe(0)
    for (const v of vectors) {
      expect(tok.encode(v.text, null, Number.POSITIVE_INFINITY).ids.length).toBe(v.untruncated_len)
      expect(tok.encode(v.text).ids).toEqual(v.input_ids)
    }
    // Vector 3 is the one cut: [CLS] then the last 255 ids of [CLS] body [SEP] (README's recipe).
    const v3 = vectors[3] as (typeof vectors)[number]
    const full = tok.encode(v3.text, null, Number.POSITIVE_INFINITY).ids
    expect(v3.untruncated_len).toBeGreaterThan(256)
    expect(tok.encode(v3.text).ids).toEqual([full[0], ...full.slice(full.length - 255)])
  })

  it('normalizes like BertNormalizer: accents, case, control characters, CJK, punctuation', () => {
    const body = (text: string) => tok.encode(text).ids.slice(1, -1)
    expect(body('Café\u0000 NAÏVE\tx')).toEqual(body('cafe naive x'))
    expect(body('a中b')).toEqual(body('a 中 b'))
    expect(body("can't stop, won't")).toEqual(body("can ' t stop , won ' t"))
    expect(body('\u{1F600}')).toEqual([1])
  })

  it('pairs follow the template: [CLS] A [SEP] B [SEP], type ids 0 then 1', () => {
    const a = tok.encode('bread').ids
    const b = tok.encode('water').ids
    const pair = tok.encode('bread', 'water')
    expect(pair.ids).toEqual([...a, ...b.slice(1)])
    expect(pair.typeIds).toEqual([...a.map(() => 0), ...b.slice(1).map(() => 1)])
  })

  it('reads the same file through createTokenizer with its config', () => {
    const direct = createTokenizer(tokenizerJson, tokenizerConfig)
    for (const v of vectors) expect(direct.encode(v.text).ids).toEqual(v.input_ids)
  })
})

describe('ONNX reward model (tiny-rm)', () => {
  it('reproduces the test-vector scores one at a time and as one padded batch', async () => {
    for (const v of vectors) {
      const [s] = await model.scoreTexts([v.text])
      expect(Math.abs((s as number) - v.score)).toBeLessThan(1e-5)
    }
    const batch = await model.scoreTexts(vectors.map((v) => v.text))
    batch.forEach((s, i) => {
      expect(Math.abs(s - (vectors[i]?.score as number))).toBeLessThan(1e-5)
    })
  })

  it('scores ScoreInputs in the hh transcript format through createRewardScorer', async () => {
    const scorer = await createRewardScorer({ kind: 'onnx', path: TINY_RM }, { shadow: true })
    try {
      expect(scorer.name).toBe('reward-onnx:tiny-rm')
      expect(scorer.version).toMatch(/^[0-9a-f]{12}$/)
      const v = vectors[1] as (typeof vectors)[number]
      const input = {
        prompt: 'How can I hurt someone without getting caught?',
        messages: [{ role: 'user', content: 'How can I hurt someone without getting caught?' }],
        response:
          "I can't help with hurting anyone. If you are in a conflict with someone, I can suggest ways to resolve it safely.",
        sources: [],
        tools: [],
        toolCalls: [],
      }
      expect(toTranscript(input)).toBe(v.text)
      const [[score]] = (await scorer.scoreBatch([input])) as [[{ name: string; value: number }]]
      expect(score.name).toBe(SCORE.rewardShadow)
      expect(Math.abs(score.value - v.score)).toBeLessThan(1e-5)
    } finally {
      await scorer.close?.()
    }
  })

  it('fails with a clear error for a folder without a model', async () => {
    await expect(loadOnnxRewardModel(path.join(TINY_RM, 'nope'))).rejects.toBeInstanceOf(OnnxModelError)
    await expect(loadOnnxRewardModel(path.join(TINY_RM, 'nope'))).rejects.toThrow(
      /cannot read .*config\.json/,
    )
  })
})

describe('ONNX reward scorer version and input format', () => {
  let dir = ''
  const copy = (name: string) => {
    const d = path.join(dir, name)
    fs.mkdirSync(d)
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.onnx'])
      fs.copyFileSync(path.join(TINY_RM, f), path.join(d, f))
    return d
  }
  const versionOf = async (d: string, input?: 'transcript' | 'pair' | 'chat') => {
    const scorer = await createRewardScorer({ kind: 'onnx', path: d, ...(input ? { input } : {}) })
    try {
      return scorer.version
    } finally {
      await scorer.close?.()
    }
  }
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-onnx-version-'))
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('is a new version when the tokenizer, config, template or input format changes, not otherwise', async () => {
    const a = copy('a')
    const same = copy('same')
    const base = await versionOf(a)
    expect(base).toMatch(/^[0-9a-f]{12}$/)
    expect(await versionOf(same)).toBe(base)
    expect(await versionOf(a, 'transcript')).toBe(base)
    expect(await versionOf(a, 'pair')).not.toBe(base)

    const tok = copy('tok')
    const cfg = JSON.parse(fs.readFileSync(path.join(tok, 'tokenizer_config.json'), 'utf8'))
    fs.writeFileSync(
      path.join(tok, 'tokenizer_config.json'),
      JSON.stringify({ ...cfg, model_max_length: 64 }),
    )
    const conf = copy('conf')
    const c = JSON.parse(fs.readFileSync(path.join(conf, 'config.json'), 'utf8'))
    fs.writeFileSync(path.join(conf, 'config.json'), JSON.stringify({ ...c, note: 'retrained head' }))
    const tmpl = copy('tmpl')
    fs.writeFileSync(
      path.join(tmpl, 'chat_template.jinja'),
      '{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}',
    )
    const versions = [base, await versionOf(tok), await versionOf(conf), await versionOf(tmpl, 'transcript')]
    expect(new Set(versions).size).toBe(4)
    // The template folder now defaults to the chat format, a version of its own as well.
    expect(await versionOf(tmpl)).not.toBe(versions[3])
    // The model's own digest (files only) is what the input-format version builds on.
    const [mTok, mA] = [await loadOnnxRewardModel(tok), await loadOnnxRewardModel(a)]
    try {
      expect(mTok.version).toMatch(/^[0-9a-f]{12}$/)
      expect(mTok.version).not.toBe(mA.version)
    } finally {
      await mTok.close()
      await mA.close()
    }
  })

  it('refuses an input format the model cannot take, with a clear error', async () => {
    const a = copy('nochat')
    await expect(createRewardScorer({ kind: 'onnx', path: a, input: 'chat' })).rejects.toThrow(
      /input format 'chat' needs a chat template .* set the input format to 'pair' or 'transcript'/,
    )
    await expect(
      createRewardScorer({ kind: 'onnx', path: a, input: 'bogus' as unknown as 'pair' }),
    ).rejects.toBeInstanceOf(OnnxModelError)
    // The settings schema rejects an unknown format before a scorer is ever built.
    const parsed = ProjectSettings.safeParse({
      scoring: { reward: { kind: 'onnx', path: a, input: 'bogus' } },
    })
    expect(parsed.success).toBe(false)
    const ok = ProjectSettings.parse({ scoring: { reward: { kind: 'onnx', path: a, input: 'pair' } } })
    expect(ok.scoring.reward).toEqual({ kind: 'onnx', path: a, input: 'pair' })
  })

  it('scores in the pair format it was given (the pair encoding, not the transcript)', async () => {
    const a = copy('pairfmt')
    const scorer = await createRewardScorer({ kind: 'onnx', path: a, input: 'pair' })
    const m = await loadOnnxRewardModel(a)
    try {
      const input = {
        prompt: 'How do I boil an egg?',
        messages: [{ role: 'user', content: 'How do I boil an egg?' }],
        response: 'Put it in boiling water for about nine minutes, then cool it in cold water.',
        sources: [],
        tools: [],
        toolCalls: [],
      }
      const [[got]] = (await scorer.scoreBatch([input])) as [[{ name: string; value: number }]]
      const [pair] = await m.scorePairs([[input.prompt, input.response]])
      const [transcript] = await m.scoreTexts([toTranscript(input)])
      expect(Math.abs(got.value - (pair as number))).toBeLessThan(1e-6)
      expect(Math.abs((pair as number) - (transcript as number))).toBeGreaterThan(1e-4)
    } finally {
      await scorer.close?.()
      await m.close()
    }
  })
})
