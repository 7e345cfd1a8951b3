import { describe, expect, it } from 'vitest'
import { parseMessagesSse } from '../../src/gateway/anthropic.ts'
import { eventIdAt, eventIdFor } from '../../src/gateway/external.ts'
import { parseResponsesSse, responsesRequestMessages } from '../../src/gateway/responses.ts'
import { spanExchange } from '../../src/otlp/genai.ts'
import { spansOf } from '../../src/otlp/spans.ts'

const sse = (events: Array<Record<string, unknown>>) =>
  Buffer.from(events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join(''))

describe('protocol parsers', () => {
  it('rebuilds a Responses stream cut before response.completed from its deltas', () => {
    const out = parseResponsesSse(
      sse([
        { type: 'response.created', response: { model: 'gpt-x' } },
        { type: 'response.output_text.delta', delta: 'Hel' },
        { type: 'response.output_text.delta', delta: 'lo' },
        {
          type: 'response.output_item.added',
          output_index: 1,
          item: { id: 'fc_9', type: 'function_call', call_id: 'call_9', name: 'lookup', arguments: '' },
        },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_9', delta: '{"q":' },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_9', delta: '1}' },
      ]),
    )
    expect(out).toMatchObject({ model: 'gpt-x', responseText: 'Hello', usage: null, parsed: true })
    expect(out.toolCalls).toEqual([{ id: 'call_9', name: 'lookup', arguments: '{"q":1}' }])
  })

  it('reads Responses input items: developer turns, function calls and their outputs', () => {
    const { messages } = responsesRequestMessages({
      input: [
        { role: 'developer', content: 'Rules.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'done' },
      ],
    })
    expect(messages).toEqual([
      { role: 'system', content: 'Rules.' },
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'done' },
    ])
  })

  it('keeps an Anthropic stream error event as the error message', () => {
    const out = parseMessagesSse(
      sse([
        {
          type: 'message_start',
          message: { model: 'claude-x', usage: { input_tokens: 4, output_tokens: 1 } },
        },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial' } },
        { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      ]),
    )
    expect(out).toMatchObject({ model: 'claude-x', responseText: 'partial', errorMessage: 'Overloaded' })
    expect(out.usage).toEqual({ promptTokens: 4, completionTokens: 1, cachedTokens: 0 })
  })

  it("reads OpenLLMetry's indexed gen_ai.prompt / gen_ai.completion with tool calls, and snake_case OTLP/JSON", () => {
    const [span] = spansOf(
      {
        resource_spans: [
          {
            scope_spans: [
              {
                spans: [
                  {
                    trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736',
                    span_id: '00f067aa0ba902b7',
                    start_time_unix_nano: 1_764_583_200_000_000_000,
                    end_time_unix_nano: '1764583200250000000',
                    status: { code: 'STATUS_CODE_ERROR', message: 'rate limited' },
                    attributes: [
                      { key: 'gen_ai.request.model', value: { string_value: 'gpt-4o' } },
                      { key: 'gen_ai.prompt.0.role', value: { stringValue: 'user' } },
                      { key: 'gen_ai.prompt.0.content', value: { stringValue: 'Weather?' } },
                      { key: 'gen_ai.completion.0.role', value: { stringValue: 'assistant' } },
                      { key: 'gen_ai.completion.0.tool_calls.0.id', value: { stringValue: 'call_1' } },
                      { key: 'gen_ai.completion.0.tool_calls.0.name', value: { stringValue: 'weather' } },
                      {
                        key: 'gen_ai.completion.0.tool_calls.0.arguments',
                        value: { stringValue: '{"c":"Oslo"}' },
                      },
                      { key: 'gen_ai.usage.input_tokens', value: { intValue: '7' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      false,
    )
    expect(span?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(span?.endMs).toBeCloseTo(1_764_583_200_250, 3)
    expect(span?.status).toEqual({ code: 2, message: 'rate limited' })
    const x = span ? spanExchange(span) : null
    expect(x?.messages).toEqual([{ role: 'user', content: 'Weather?' }])
    expect(x?.toolCalls).toEqual([{ id: 'call_1', name: 'weather', arguments: '{"c":"Oslo"}' }])
    expect(x?.usage).toEqual({ promptTokens: 7, completionTokens: 0, cachedTokens: 0 })
  })

  it('skips spans that are not LLM calls', () => {
    const [tool] = spansOf(
      {
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                    spanId: '00f067aa0ba902b7',
                    attributes: [
                      { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
                      { key: 'gen_ai.tool.name', value: { stringValue: 'weather' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      false,
    )
    expect(tool && spanExchange(tool)).toBeNull()
  })

  it('derives stable event ids: UUIDs kept, other ids hashed, span ids UUIDv7-shaped at their time', () => {
    const uuid = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'
    expect(eventIdFor('p', uuid.toUpperCase())).toBe(uuid)
    expect(eventIdFor('p', 'order-1')).toBe(eventIdFor('p', 'order-1'))
    expect(eventIdFor('p', 'order-1')).not.toBe(eventIdFor('q', 'order-1'))
    expect(eventIdFor('p', 'order-1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    const id = eventIdAt(1_764_583_200_123, 'p', 'trace:span')
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(1_764_583_200_123)
  })
})
