import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { classifyRefusal, refusalHeuristic } from '../../src/scoring/refusal-heuristic.ts'
import { toScoreInput } from '../../src/scoring/scorer.ts'

const XSTEST = path.resolve(import.meta.dirname, '../../../../shared/data/xstest')

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else if (c !== '\r') field += c
  }
  if (field.length > 0 || row.length > 0) rows.push([...row, field])
  const [header = [], ...body] = rows
  return body
    .filter((r) => r.length === header.length)
    .map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])))
}

function f1(gold: boolean[], pred: boolean[]): { f1: number; precision: number; recall: number } {
  let tp = 0
  let fp = 0
  let fn = 0
  gold.forEach((g, i) => {
    if (g && pred[i]) tp++
    else if (!g && pred[i]) fp++
    else if (g && !pred[i]) fn++
  })
  const precision = tp / (tp + fp)
  const recall = tp / (tp + fn)
  return { f1: (2 * precision * recall) / (precision + recall), precision, recall }
}

function exchange(responseText: string, toolCalls: ExchangeRecord['toolCalls'] = []): ExchangeRecord {
  return {
    eventId: 'e1',
    projectId: 'p1',
    time: 0,
    endpoint: 'chat.completions',
    route: 'default',
    upstream: 'demo',
    model: 'leash-demo-mini',
    stream: false,
    status: 200,
    outcome: 'ok',
    latencyMs: 10,
    ttftMs: 5,
    usage: null,
    request: [],
    prompt: 'hi',
    responseText,
    tools: [],
    usageFromUpstream: true,
    costUsd: 0,
    toolCalls,
    finishReason: 'stop',
    tags: { user: '', session: '', feature: '', policyVersion: '', extra: {} },
    sources: [],
    errorMessage: '',
  }
}

describe('refusal heuristic on XSTest human labels', () => {
  it('detects refusals (full or partial) with F1 >= 0.9 on all 900 labelled completions', () => {
    const rows = ['gpt4', 'mistralguard'].flatMap((m) =>
      parseCsv(
        fs.readFileSync(path.join(XSTEST, `model_completions/xstest_v2_completions_${m}.csv`), 'utf8'),
      ),
    )
    expect(rows.length).toBe(900)
    const gold = rows.map((r) => r.final_label !== '1_full_compliance')
    const ours = f1(
      gold,
      rows.map((r) => classifyRefusal(r.completion ?? '').label !== 'none'),
    )

    // Upstream's own string-match baseline on the same rows, for comparison.
    const strRows = ['gpt4', 'mistralguard'].flatMap((m) =>
      parseCsv(
        fs.readFileSync(
          path.join(XSTEST, `automated_evaluation_labels/xstest_v2_completions_${m}_streval.csv`),
          'utf8',
        ),
      ),
    )
    const baseline = f1(
      strRows.map((r) => r.final_label !== '1_full_compliance'),
      strRows.map((r) => r.strmatch_label !== '1_full_compliance'),
    )
    console.log(
      `refusal-heuristic on XSTest (n=${rows.length}): F1 ${ours.f1.toFixed(3)} (P ${ours.precision.toFixed(3)}, R ${ours.recall.toFixed(3)}); ` +
        `upstream string match (n=${strRows.length}): F1 ${baseline.f1.toFixed(3)}`,
    )
    expect(ours.f1).toBeGreaterThanOrEqual(0.9)
    expect(ours.f1).toBeGreaterThan(baseline.f1)
  })
})

describe('classifyRefusal', () => {
  it('labels a plain refusal as full', () => {
    expect(classifyRefusal("I'm sorry, but I can't help with that.")).toMatchObject({ label: 'full' })
    expect(
      classifyRefusal('I cannot provide instructions for building weapons.').probability,
    ).toBeGreaterThan(0.8)
  })

  it('labels a caveat followed by real help as partial', () => {
    const text =
      "I can't give step-by-step instructions for that, but I can give some general context. However, here is what usually matters:\n\n" +
      '1. Check the local regulations that apply to you before starting.\n2. Talk to a qualified professional who does this routinely.\n' +
      '3. Use the official, documented process rather than a shortcut.\n4. Keep written records of every step you take.'
    expect(classifyRefusal(text).label).toBe('partial')
  })

  it('labels a helpful answer, and sympathy that goes on to help, as none', () => {
    expect(
      classifyRefusal('To reverse a list in Python, call `items.reverse()` or use `items[::-1]`.').label,
    ).toBe('none')
    const sympathy =
      "I'm sorry to hear about your hamster. Here's how you can bury it properly:\n\n1. Choose a spot.\n2. Dig deep."
    expect(classifyRefusal(sympathy).label).toBe('none')
    expect(
      classifyRefusal('Could you clarify what you are asking? I do not understand the question.').label,
    ).toBe('none')
  })

  it('ranks a refusal above compliance in probability', () => {
    expect(classifyRefusal("Sorry, but I can't assist with that.").probability).toBeGreaterThan(
      classifyRefusal('Sure! Here is a recipe for pancakes.').probability,
    )
  })
})

describe('refusalHeuristic scorer', () => {
  it('names itself and returns one refusal score', () => {
    expect(refusalHeuristic.name).toBe('refusal-heuristic')
    expect(refusalHeuristic.version).toBe('1')
    const [score, ...rest] = refusalHeuristic.score(
      toScoreInput(exchange("Sorry, but I can't assist with that.")),
    )
    expect(rest).toHaveLength(0)
    expect(score).toMatchObject({ name: 'refusal', label: 'full' })
    expect(score?.value).toBeGreaterThan(0.5)
  })

  it('scores a tool-call-only response with empty text as none', () => {
    const [score] = refusalHeuristic.score(
      toScoreInput(exchange('', [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }])),
    )
    expect(score).toMatchObject({ name: 'refusal', label: 'none' })
    expect(score?.value).toBeLessThan(0.1)
  })
})
