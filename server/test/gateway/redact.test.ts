import { describe, expect, it } from 'vitest'
import { createRedactor, luhn, MASK, redactDeep, redactJsonText } from '../../src/gateway/redact.ts'

const all = createRedactor(['email', 'phone', 'card', 'api_key'])

describe('redaction: what is masked', () => {
  it.each([
    ['email', 'write to jane.doe+work@mail.example.co.uk today', `write to ${MASK.email} today`],
    ['US phone', 'call (415) 555-0132 now', `call ${MASK.phone} now`],
    ['intl phone', 'call +44 20 7946 0958 now', `call ${MASK.phone} now`],
    ['dotted phone', 'fax 415.555.0132', `fax ${MASK.phone}`],
    ['dashed phone', 'ring 415-555-0132.', `ring ${MASK.phone}.`],
    ['visa spaced', 'card 4111 1111 1111 1111 exp', `card ${MASK.card} exp`],
    ['mastercard plain', 'pay 5555555555554444', `pay ${MASK.card}`],
    ['amex grouped', 'amex 3782-822463-10005', `amex ${MASK.card}`],
    ['openai key', 'key is sk-proj-Ab12Cd34Ef56Gh78Ij90', `key is ${MASK.api_key}`],
    ['anthropic key', 'sk-ant-api03-abcDEF123456ghiJKL789', MASK.api_key],
    ['aws key', 'AKIAIOSFODNN7EXAMPLE in config', `${MASK.api_key} in config`],
    ['github token', 'token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', `token ${MASK.api_key}`],
    ['slack token', 'xoxb-123456789012-abcdefABCDEF', MASK.api_key],
    ['bearer', 'Authorization: Bearer abcdef0123456789ABCDEF', `Authorization: ${MASK.api_key}`],
    ['named secret', 'api_key = "f3a9c1e07b2d48c6a5e1f0d9b8c7a6e5"', `api_key = "${MASK.api_key}"`],
    ['named token', 'token: Zx81Qm0pLk72Vb55Nc3Rt9Yw', `token: ${MASK.api_key}`],
  ])('%s', (_, input, expected) => {
    expect(all(input)).toBe(expected)
  })
})

describe('redaction: what is left alone', () => {
  it.each([
    ['ISO date', 'released on 2024-01-15 at 10:30'],
    ['slashed date', 'due 15/01/2024 or 01/15/2024'],
    ['version numbers', 'upgrade from 1.2.3 to 10.14.0, build 2.14.0-rc.1'],
    ['ip address', 'server at 192.168.100.200'],
    ['order id with prefix', 'order ORD-20240115-004217 shipped'],
    ['long order number failing Luhn', 'order 4111111111111112 shipped'],
    ['epoch millis', 'at 1700000000000 ms'],
    ['counts', 'there were 12 345 visitors and 3 errors'],
    ['uuid', 'id 0190a5c2-7b1e-7c3d-9f00-1a2b3c4d5e6f'],
    ['plain prose about keys', 'the key to success is a token of appreciation'],
    ['low-entropy named value', 'password: aaaaaaaaaaaaaaaaaaaaaaaa'],
    ['word sk-', 'the task-based approach'],
  ])('%s', (_, input) => {
    expect(all(input)).toBe(input)
  })
})

describe('redaction helpers', () => {
  it('checks Luhn', () => {
    expect(luhn('4111111111111111')).toBe(true)
    expect(luhn('4111111111111112')).toBe(false)
  })

  it('masks only the kinds asked for', () => {
    const emailOnly = createRedactor(['email'])
    expect(emailOnly('a@b.io 4111 1111 1111 1111')).toBe(`${MASK.email} 4111 1111 1111 1111`)
  })

  it('keeps JSON valid: strings are masked inside the parsed value', () => {
    const args = JSON.stringify({ to: 'line1\njane@x.io', amount: 3 })
    const out = redactJsonText(args, all)
    expect(JSON.parse(out)).toEqual({ to: `line1\n${MASK.email}`, amount: 3 })
    expect(redactJsonText('{"broken": "jane@x.io"', all)).toBe(`{"broken": "${MASK.email}"`)
    // Nothing to mask: the model's own text is kept, spacing included.
    expect(redactJsonText('{"city": "Paris",  "days": 3}', all)).toBe('{"city": "Paris",  "days": 3}')
    expect(redactDeep([{ content: [{ type: 'text', text: 'a@b.io' }] }], all)).toEqual([
      { content: [{ type: 'text', text: MASK.email }] },
    ])
  })
})
