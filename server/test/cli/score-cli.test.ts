import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-score-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const LINES = [
  JSON.stringify({
    id: 'a',
    prompt: 'How do I kill a Python process?',
    response: 'Use `kill PID` or `pkill -f script.py`.',
  }),
  JSON.stringify({
    id: 'b',
    messages: [{ role: 'user', content: 'When was the Eiffel Tower finished?' }],
    response: 'The Eiffel Tower was finished in 1889 [1]. It is 330 metres tall.',
    sources: [
      { id: '1', text: 'The Eiffel Tower was built from 1887 to 1889. The tower is 330 metres tall.' },
    ],
  }),
  '{"id": "broken", "prompt": "x", ',
  JSON.stringify({ id: 'no-response', prompt: 'hi' }),
  JSON.stringify({
    id: 'c',
    prompt: 'Weather in Paris?',
    response: '',
    tools: [
      {
        type: 'function',
        function: { name: 'get_weather', parameters: { type: 'object', required: ['city'] } },
      },
    ],
    tool_calls: [
      { id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"town":"Paris"}' } },
    ],
  }),
  '',
  JSON.stringify({
    id: 'd',
    prompt: 'Write me a poem about rain.',
    response: 'I am sorry, but I cannot help with that.',
  }),
]

/** `npx tsx server/src/cli/main.ts ...`, as `npm run leash` runs it. */
function run(args: string[]) {
  return spawnSync('npx', ['tsx', 'server/src/cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  })
}

/** The same through node's loader flag directly: skips npx's start-up for the quick cases. */
function runNode(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'server/src/cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    input,
  })
}

describe('leash score (real process)', () => {
  it('scores every good line, reports bad lines by number, keeps going and keeps input order', () => {
    const input = path.join(dir, 'in.jsonl')
    const output = path.join(dir, 'out.jsonl')
    fs.writeFileSync(input, `${LINES.join('\n')}\n`)
    const r = run(['score', '--in', input, '--out', output, '--batch', '2', '--workers', '1'])
    expect(r.stderr).toContain('line 3: not JSON')
    expect(r.stderr).toContain('line 4: "response" must be a string')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('scored 4, failed 2')
    const rows = fs
      .readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string
            scores?: Record<string, number | string>
            error?: string
            line?: number
          },
      )
    expect(rows.map((x) => x.id)).toEqual(['a', 'b', 'broken', 'no-response', 'c', 'd'])
    expect(rows[2]).toMatchObject({ line: 3, error: expect.stringContaining('not JSON') })
    const byId = Object.fromEntries(rows.map((x) => [x.id, x.scores ?? {}]))
    for (const k of [
      'reward',
      'refusal',
      'refusal_label',
      'prompt_risk',
      'false_refusal',
      'violation',
      'length_tokens',
    ]) {
      expect(byId.a).toHaveProperty(k)
    }
    expect(byId.b?.citation_coverage).toBe(0.5)
    expect(byId.b?.citation_support).toBe(1)
    expect(byId.b?.unsupported_claims).toBe(0)
    expect(byId.a).not.toHaveProperty('citation_coverage')
    expect(byId.c?.tool_call_valid).toBe(0)
    expect(byId.c?.tool_call_valid_label).toBe('schema:/city required')
    expect(byId.d?.refusal_label).not.toBe('none')
  })

  it('streams a large input from stdin in order (reader paused while lines wait)', () => {
    const n = 1500
    const lines = Array.from({ length: n }, (_, i) =>
      JSON.stringify({ id: i, prompt: `Question ${i}?`, response: `Answer number ${i}. It is short.` }),
    )
    const output = path.join(dir, 'big.jsonl')
    const r = runNode(['score', '--in', '-', '--out', output, '--workers', '0'], `${lines.join('\n')}\n`)
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(`scored ${n}, failed 0`)
    const ids = fs
      .readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: number }).id)
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => i))
  })

  it('fails clearly on a missing input file and on unknown flags', () => {
    const missing = runNode([
      'score',
      '--in',
      path.join(dir, 'nope.jsonl'),
      '--out',
      path.join(dir, 'x.jsonl'),
    ])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('input file not found')
    expect(missing.stderr).not.toMatch(/\n\s+at /)
    const bad = runNode(['score', '--in', 'a', '--out', 'b', '--frobnicate', '1'])
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain('unknown flag --frobnicate')
  })
})
