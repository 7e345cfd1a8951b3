import { describe, expect, it } from 'vitest'
import { ExchangeRecord } from '../../src/exchange/record.ts'
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
        requestJson: JSON.stringify(messages),
        prompt: 'hi',
        responseText: 'hello',
        toolsJson: JSON.stringify(tools),
      }),
    )
    const fromLine = parseScoreRecord(JSON.stringify({ id: 1, messages, response: 'hello', tools })).input
    expect(fromLine).toEqual(fromRecord)
    expect(fromRecord.messages).toEqual([{ role: 'user', content: 'hi' }])
    expect(fromRecord.tools).toEqual([{ name: 'f', parameters: { type: 'object' } }])
  })
})
