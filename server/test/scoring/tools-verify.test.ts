import { describe, expect, it } from 'vitest'
import type { DeclaredTool, ScoreInput } from '../../src/scoring/scorer.ts'
import { scoreTools, verifyToolCall, verifyToolCalls } from '../../src/scoring/tools/index.ts'

const WEATHER: DeclaredTool = {
  name: 'get_weather',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['c', 'f'] },
      days: { type: 'integer', minimum: 1, maximum: 10 },
    },
    required: ['city'],
    additionalProperties: false,
  },
}
const SEARCH: DeclaredTool = {
  name: 'search',
  parameters: { type: 'object', properties: { q: { type: 'string' } } },
}

const call = (name: string, args: string) => ({ id: 'c1', name, arguments: args })

function input(toolCalls: ReturnType<typeof call>[], tools: DeclaredTool[] = [WEATHER, SEARCH]): ScoreInput {
  return { prompt: 'weather?', messages: [], response: '', sources: [], tools, toolCalls }
}

describe('tool-call verification', () => {
  it('accepts a call whose arguments validate against the declared schema', () => {
    expect(verifyToolCall(call('get_weather', '{"city":"Paris","unit":"c","days":3}'), [WEATHER])).toBeNull()
    expect(scoreTools(input([call('get_weather', '{"city":"Oslo"}')]))).toEqual([
      { name: 'tool_call_valid', value: 1, label: 'valid' },
      { name: 'tool_calls', value: 1 },
    ])
  })

  it('names the first failure', () => {
    expect(verifyToolCall(call('get_wether', '{"city":"Paris"}'), [WEATHER])).toBe('unknown_tool:get_wether')
    expect(verifyToolCall(call('get_weather', '{"city": "Paris"'), [WEATHER])).toBe('invalid_json')
    expect(verifyToolCall(call('get_weather', '["Paris"]'), [WEATHER])).toBe('arguments_not_object')
    expect(verifyToolCall(call('get_weather', '{"unit":"c"}'), [WEATHER])).toBe('schema:/city required')
    expect(verifyToolCall(call('get_weather', '{"city":"Paris","unit":"k"}'), [WEATHER])).toMatch(
      /^schema:\/unit /,
    )
    expect(verifyToolCall(call('get_weather', '{"city":"Paris","days":2.5}'), [WEATHER])).toMatch(
      /^schema:\/days /,
    )
    expect(verifyToolCall(call('get_weather', '{"city":"Paris","zip":1}'), [WEATHER])).toBe(
      'schema:/zip not allowed',
    )
  })

  it('treats empty arguments as an empty object and any call with no declared tools as unknown', () => {
    expect(verifyToolCall(call('search', ''), [SEARCH])).toBeNull()
    expect(verifyToolCall(call('search', '{}'), [])).toBe('unknown_tool:search')
  })

  it('fails the exchange when any call fails, and reports the first failure', () => {
    const v = verifyToolCalls(
      [call('search', '{"q":"x"}'), call('get_weather', 'not json'), call('nope', '{}')],
      [WEATHER, SEARCH],
    )
    expect(v).toEqual({ calls: 3, valid: false, failure: 'invalid_json', failedCalls: 2 })
    const scores = scoreTools(input([call('search', '{"q":"x"}'), call('nope', '{}')]))
    expect(scores[0]).toEqual({ name: 'tool_call_valid', value: 0, label: 'unknown_tool:nope' })
    expect(scores[1]).toEqual({ name: 'tool_calls', value: 2 })
  })

  it('writes nothing when there are no tool calls', () => {
    expect(scoreTools(input([]))).toEqual([])
  })

  it('stays correct past the validator cache capacity (many distinct schemas)', () => {
    for (let i = 0; i < 300; i++) {
      const tool: DeclaredTool = {
        name: `t${i}`,
        parameters: { type: 'object', properties: { [`p${i}`]: { type: 'number' } }, required: [`p${i}`] },
      }
      expect(verifyToolCall(call(`t${i}`, `{"p${i}": ${i}}`), [tool])).toBeNull()
      expect(verifyToolCall(call(`t${i}`, '{}'), [tool])).toBe(`schema:/p${i} required`)
    }
  })

  it('reports an uncompilable schema instead of throwing', () => {
    const bad: DeclaredTool = {
      name: 'bad',
      parameters: { type: 'object', properties: { a: { $ref: '#/nope' } } },
    }
    expect(verifyToolCall(call('bad', '{"a":1}'), [bad])).toBe('invalid_schema')
  })
})
