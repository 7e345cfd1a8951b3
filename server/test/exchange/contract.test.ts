import { describe, expect, it } from 'vitest'
import { deeperThan, ExchangeRecord, upgradeSpooledRecord } from '../../src/exchange/record.ts'
import { parseScoreRecord } from '../../src/exchange/score-record.ts'
import { toScoreInput } from '../../src/exchange/scorer-input.ts'
import { exchange } from '../support/ingest-fixtures.ts'

describe('the exchange contract', () => {
  it('parses the record the gateway builds and rejects a malformed one', () => {
    const record = exchange({ sources: [{ id: 's1', text: 'Paris is in France.' }] })
    expect(ExchangeRecord.parse(record)).toEqual(record)
    expect(ExchangeRecord.safeParse({ ...record, outcome: 'maybe' }).success).toBe(false)
  })

  it('gives scorers the same input from a record and from an offline line', () => {
    const messages = [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }]
    const fromRecord = toScoreInput(
      exchange({
        request: messages,
        prompt: 'hi',
        responseText: 'hello',
        tools,
      }),
    )
    const fromLine = parseScoreRecord(JSON.stringify({ id: 1, messages, response: 'hello', tools })).input
    expect(fromLine).toEqual(fromRecord)
    expect(fromRecord.messages).toEqual([{ role: 'user', content: 'hi' }])
    expect(fromRecord.tools).toEqual([{ name: 'f', parameters: { type: 'object' } }])
  })

  it('reads records spooled with JSON text fields into parsed values', () => {
    const messages = [{ role: 'user', content: 'hi' }]
    const tools = [{ type: 'function', function: { name: 'f', parameters: {} } }]
    const { request: _r, tools: _t, ...rest } = exchange({ prompt: 'hi' })
    const legacy = { ...rest, requestJson: JSON.stringify(messages), toolsJson: JSON.stringify(tools) }
    const upgraded = upgradeSpooledRecord(legacy as unknown as ExchangeRecord)
    expect(upgraded.request).toEqual(messages)
    expect(upgraded.tools).toEqual(tools)
    expect(upgraded).not.toHaveProperty('requestJson')
    expect(ExchangeRecord.parse(upgraded)).toEqual(upgraded)
    const empty = upgradeSpooledRecord({
      ...rest,
      requestJson: '',
      toolsJson: '',
    } as unknown as ExchangeRecord)
    expect(empty.request).toBeNull()
    expect(empty.tools).toEqual([])
    // Today's records pass through untouched.
    const now = exchange({ request: messages, tools })
    expect(upgradeSpooledRecord(structuredClone(now))).toEqual(now)
  })

  it('measures nesting without recursion, so no depth can overflow it', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(deeperThan(deep, 128)).toBe(true)
    expect(deeperThan([[{ a: [1] }]], 4)).toBe(false)
    expect(deeperThan([[{ a: [1] }]], 3)).toBe(true)
  })
})
