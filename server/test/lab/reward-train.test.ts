import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { PairsFileError, parsePairRecord, readPairsFile } from '../../lab/reward/pairs.ts'
import { DEFAULT_FEATURES, trainReward } from '../../lab/reward/train.ts'
import { trainCommand } from '../../src/cli/train.ts'
import { loadModel } from '../../src/scoring/reward/model.ts'

const HH = path.resolve(import.meta.dirname, '../../../../shared/data/hh-rlhf/harmless-base-test.jsonl.gz')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-reward-train-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const hhLines = gunzipSync(fs.readFileSync(HH)).toString('utf8').split('\n').filter(Boolean)

function write(name: string, text: string | Buffer): string {
  const file = path.join(tmp, name)
  fs.writeFileSync(file, text)
  return file
}

describe('pairs files', () => {
  it("parses hh-rlhf's transcript format into context, last user turn and the two final replies", () => {
    const pair = parsePairRecord({
      chosen:
        '\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how do I pick a lock?\n\nAssistant: I would rather not help with that.',
      rejected:
        '\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how do I pick a lock?\n\nAssistant: Use a tension wrench and a pick.',
    })
    expect(pair.prompt).toBe('how do I pick a lock?')
    expect(pair.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'how do I pick a lock?' },
    ])
    expect(pair.chosen).toBe('I would rather not help with that.')
    expect(pair.rejected).toBe('Use a tension wrench and a pick.')
  })

  it('reads {prompt} and {messages} records, and .jsonl.gz', async () => {
    const plain = write(
      'mixed.jsonl',
      `${JSON.stringify({ prompt: 'p1', chosen: 'a', rejected: 'b' })}\n\n${JSON.stringify({
        messages: [{ role: 'user', content: 'p2' }],
        chosen: 'c',
        rejected: 'd',
      })}\n`,
    )
    const pairs = await readPairsFile(plain)
    expect(pairs.map((p) => [p.prompt, p.chosen, p.rejected])).toEqual([
      ['p1', 'a', 'b'],
      ['p2', 'c', 'd'],
    ])
    const gz = write('hh.jsonl.gz', gzipSync(`${hhLines.slice(0, 5).join('\n')}\n`))
    const hh = await readPairsFile(gz)
    expect(hh).toHaveLength(5)
    for (const p of hh) expect(p.chosen.length + p.rejected.length).toBeGreaterThan(0)
  })

  it('names the file and line of a bad record', async () => {
    const good = JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' })
    const badJson = write('bad-json.jsonl', `${good}\n${good}\n{not json\n`)
    await expect(readPairsFile(badJson)).rejects.toThrow(`${badJson}:3: not valid JSON`)
    const noChosen = write('no-chosen.jsonl', `${good}\n${JSON.stringify({ prompt: 'p', rejected: 'b' })}\n`)
    await expect(readPairsFile(noChosen)).rejects.toThrow(`${noChosen}:2: 'chosen' must be a string`)
    const notTranscript = write('no-prompt.jsonl', `${JSON.stringify({ chosen: 'a', rejected: 'b' })}\n`)
    await expect(readPairsFile(notTranscript)).rejects.toThrow(
      /no-prompt\.jsonl:1: needs 'prompt' or 'messages'/,
    )
    await expect(readPairsFile(path.join(tmp, 'missing.jsonl'))).rejects.toBeInstanceOf(PairsFileError)
    const corrupt = write('corrupt.jsonl.gz', 'not gzip at all')
    await expect(readPairsFile(corrupt)).rejects.toThrow(
      /corrupt\.jsonl\.gz: cannot read \(incorrect header check\)/,
    )
  })
})

describe('trainer', () => {
  it('learns from 200 real hh-rlhf pairs and is deterministic', async () => {
    const file = write('hh200.jsonl.gz', gzipSync(`${hhLines.slice(0, 200).join('\n')}\n`))
    const pairs = await readPairsFile(file)
    const features = { ...DEFAULT_FEATURES, hashBits: 12 }
    const opts = { features, l2: [0.01], maxIterations: 40 }
    const a = trainReward(pairs.slice(0, 180), pairs.slice(180), opts)
    const b = trainReward(pairs.slice(0, 180), pairs.slice(180), opts)
    expect(a.trainAccuracy).toBeGreaterThan(0.7)
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true)
    expect(a.weights.some((w) => w !== 0)).toBe(true)
  })

  it('`leash train reward` writes a loadable model, twice identical, and reports progress on stderr', async () => {
    const file = write('hh300.jsonl.gz', gzipSync(`${hhLines.slice(0, 300).join('\n')}\n`))
    const stderr: string[] = []
    const write0 = process.stderr.write.bind(process.stderr)
    const out0 = process.stdout.write.bind(process.stdout)
    process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write
    process.stdout.write = (() => true) as typeof process.stdout.write
    try {
      for (const out of ['m1', 'm2']) {
        await trainCommand([
          'reward',
          '--pairs',
          file,
          '--out',
          path.join(tmp, out),
          '--hash-bits',
          '12',
          '--l2',
          '0.003,0.03',
          '--max-iterations',
          '20',
        ])
      }
    } finally {
      process.stderr.write = write0
      process.stdout.write = out0
    }
    expect(stderr.join('')).toMatch(
      /iteration +10 +train loss \d\.\d+ +dev loss \d\.\d+ +dev accuracy \d\.\d+/,
    )
    const m1 = await loadModel(path.join(tmp, 'm1'))
    const m2 = await loadModel(path.join(tmp, 'm2'))
    expect(m1.manifest.version).toBe(m2.manifest.version)
    expect(m1.manifest.training.trainPairs).toBe(270)
    expect(m1.manifest.training.devPairs).toBe(30)
    expect(
      fs
        .readFileSync(path.join(tmp, 'm1', 'weights.bin'))
        .equals(fs.readFileSync(path.join(tmp, 'm2', 'weights.bin'))),
    ).toBe(true)
    await expect(trainCommand(['reward', '--pairs', file])).rejects.toThrow(
      /needs --pairs FILE and --out DIR/,
    )
  })
})
