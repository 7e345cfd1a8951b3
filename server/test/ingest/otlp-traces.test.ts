import { gzipSync } from 'node:zlib'
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai'
import type { ExchangeDetail } from '@leash/shared'
import { context, trace } from '@opentelemetry/api'
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExportTraceServiceResponse, RpcStatus } from '../../src/otlp/proto.ts'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream } from '../support/upstream.ts'

/** `POST /v1/traces`: OpenTelemetry GenAI and OpenInference spans become scored exchanges. */
describe('OTLP/HTTP trace receiver', () => {
  let leash: TestLeash

  beforeAll(async () => {
    leash = await startTestLeash({ mode: 'embedded', env: { LEASH_BODY_LIMIT_BYTES: String(1024 * 1024) } })
  }, 120_000) // starting a Leash takes long on a busy machine
  afterAll(async () => {
    await leash?.stop()
  })

  function provider(exporter: ProtoExporter | JsonExporter) {
    return new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    })
  }
  const auth = { Authorization: `Bearer ${PROJECT_KEY}` }

  async function exchangeOfSpan(spanId: string): Promise<ExchangeDetail> {
    await leash.pipeline.flush()
    return eventually(async () => {
      await leash.pipeline.flush()
      const q = await leash.clickhouse.query({
        query: 'SELECT toString(event_id) AS id FROM raw_responses_v1 FINAL WHERE span_id = {s:String}',
        query_params: { s: spanId },
        format: 'JSONEachRow',
      })
      const id = (await q.json<{ id: string }>())[0]?.id
      if (!id) return undefined
      const { status, body } = await api<ExchangeDetail>(leash, `/api/exchanges/${id}`)
      if (status !== 200) throw new Error(`status ${status}`)
      return body.scorers.some((s) => s.name === 'refusal') ? body : undefined
    }, 20_000)
  }

  it('turns a GenAI chat span sent by the protobuf exporter (gzip) into a scored exchange with its trace', async () => {
    const exporter = new ProtoExporter({
      url: `${leash.url}/v1/traces`,
      headers: auth,
      compression: CompressionAlgorithm.GZIP,
    })
    const p = provider(exporter)
    const tracer = p.getTracer('genai-test')
    const root = tracer.startSpan('invoke_agent support', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent' },
    })
    const chat = tracer.startSpan(
      'chat gpt-4o',
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 30,
          'gen_ai.usage.output_tokens': 12,
          'gen_ai.response.finish_reasons': ['tool_call'],
          'gen_ai.conversation.id': 'conv-1',
          'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You are helpful.' }]),
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] },
          ]),
          'gen_ai.output.messages': JSON.stringify([
            {
              role: 'assistant',
              parts: [
                { type: 'text', content: 'Let me check.' },
                { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
              ],
              finish_reason: 'tool_call',
            },
          ]),
        },
      },
      trace.setSpan(context.active(), root),
    )
    chat.end()
    root.end()
    await p.forceFlush()
    await p.shutdown()

    const d = await exchangeOfSpan(chat.spanContext().spanId)
    expect(d.origin).toBe('otlp')
    expect(d.traceId).toBe(chat.spanContext().traceId)
    expect(d.parentSpanId).toBe(root.spanContext().spanId)
    expect(d.model).toBe('gpt-4o-2024-08-06')
    expect(d.upstream).toBe('')
    expect(d.prompt).toBe('What is the weather in Paris?')
    expect(d.messages).toEqual([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'What is the weather in Paris?' },
    ])
    expect(d.responseText).toBe('Let me check.')
    expect(d.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }])
    expect(d.usage).toEqual({ promptTokens: 30, completionTokens: 12, cachedTokens: 0 })
    expect(d.costUsd).toBeGreaterThan(0)
    expect(d.finishReason).toBe('tool_call')
    expect(d.tags.session).toBe('conv-1')
    expect(d.tags.extra).toEqual({ service: 'support-bot' })
    expect(d.scores.refusal).toBeDefined()
    // The agent span is not an LLM call: accepted, not recorded.
    const q = await leash.clickhouse.query({
      query: 'SELECT count() AS n FROM raw_responses_v1 WHERE span_id = {s:String}',
      query_params: { s: root.spanContext().spanId },
      format: 'JSONEachRow',
    })
    expect(Number((await q.json<{ n: number | string }>())[0]?.n)).toBe(0)
  }, 60_000)

  it('reads the older event and prompt/completion forms and OpenInference, from the JSON exporter', async () => {
    const p = provider(new JsonExporter({ url: `${leash.url}/v1/traces`, headers: auth }))
    const tracer = p.getTracer('older-forms')
    const events = tracer.startSpan('chat', {
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.operation.name': 'chat',
      },
    })
    events.addEvent('gen_ai.user.message', { content: 'Tell me a joke' })
    events.addEvent('gen_ai.choice', {
      index: 0,
      finish_reason: 'stop',
      message: JSON.stringify({ role: 'assistant', content: 'Why did the chicken cross the road?' }),
    })
    events.end()
    const legacy = tracer.startSpan('openai.chat', {
      attributes: {
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.prompt': JSON.stringify([{ role: 'user', content: 'Say hello' }]),
        'gen_ai.completion': JSON.stringify([{ role: 'assistant', content: 'Hello there' }]),
        'gen_ai.usage.prompt_tokens': 5,
        'gen_ai.usage.completion_tokens': 2,
      },
    })
    legacy.end()
    const oi = tracer.startSpan('ChatCompletion', {
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-mini',
        'llm.input_messages.0.message.role': 'system',
        'llm.input_messages.0.message.content': 'Be terse.',
        'llm.input_messages.1.message.role': 'user',
        'llm.input_messages.1.message.content': 'Capital of Italy?',
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.content': 'Rome.',
        'llm.token_count.prompt': 9,
        'llm.token_count.completion': 2,
      },
    })
    oi.end()
    await p.forceFlush()
    await p.shutdown()

    const e = await exchangeOfSpan(events.spanContext().spanId)
    expect(e.prompt).toBe('Tell me a joke')
    expect(e.responseText).toBe('Why did the chicken cross the road?')
    expect(e.finishReason).toBe('stop')
    const l = await exchangeOfSpan(legacy.spanContext().spanId)
    expect(l.prompt).toBe('Say hello')
    expect(l.responseText).toBe('Hello there')
    expect(l.usage).toEqual({ promptTokens: 5, completionTokens: 2, cachedTokens: 0 })
    const o = await exchangeOfSpan(oi.spanContext().spanId)
    expect(o.messages).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Capital of Italy?' },
    ])
    expect(o.responseText).toBe('Rome.')
    expect(o.usage).toEqual({ promptTokens: 9, completionTokens: 2, cachedTokens: 0 })
  }, 60_000)

  it('takes the spans of a real openai client instrumented by OpenInference, calling its provider directly', async () => {
    const upstream = await startTestUpstream()
    const p = provider(new ProtoExporter({ url: `${leash.url}/v1/traces`, headers: auth }))
    const instrumentation = new OpenAIInstrumentation({ tracerProvider: p })
    instrumentation.manuallyInstrument({ OpenAI } as unknown as Parameters<
      typeof instrumentation.manuallyInstrument
    >[0])
    try {
      const client = new OpenAI({ apiKey: 'sk-direct', baseURL: upstream.baseUrl, maxRetries: 0 })
      const res = await client.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      })
      await p.forceFlush()
      const q = await eventually(async () => {
        await leash.pipeline.flush()
        const r = await leash.clickhouse.query({
          query:
            "SELECT span_id FROM raw_responses_v1 FINAL WHERE origin = 'otlp' AND prompt = 'What is the capital of France?'",
          format: 'JSONEachRow',
        })
        return (await r.json<{ span_id: string }>())[0]
      }, 20_000)
      const d = await exchangeOfSpan(q.span_id)
      expect(d.responseText).toBe(res.choices[0]?.message.content)
      expect(d.model).toBe(res.model)
      expect(d.usage?.promptTokens).toBe(res.usage?.prompt_tokens)
      expect(d.traceId).toMatch(/^[0-9a-f]{32}$/)
    } finally {
      instrumentation.disable()
      await p.shutdown()
      await upstream.close()
    }
  }, 60_000)

  const post = (body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${leash.url}/v1/traces`, { method: 'POST', headers: { ...auth, ...headers }, body })

  it('reports a span it cannot take as partial success, in OTLP shape', async () => {
    const span = (traceId: string) => ({
      traceId,
      spanId: '00f067aa0ba902b7',
      name: 'chat',
      startTimeUnixNano: '1764583200000000000',
      endTimeUnixNano: '1764583201000000000',
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.prompt', value: { stringValue: '[{"role":"user","content":"hi"}]' } },
      ],
    })
    const body = {
      resourceSpans: [{ scopeSpans: [{ spans: [span('4bf92f3577b34da6a3ce929d0e0e4736'), span('')] }] }],
    }
    const res = await post(JSON.stringify(body), { 'content-type': 'application/json' })
    expect(res.status).toBe(200)
    const answer = (await res.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } }
    expect(answer.partialSuccess.rejectedSpans).toBe(1)
    expect(answer.partialSuccess.errorMessage).toMatch(/trace id/)
  }, 30_000)

  it('answers bad input with an HTTP status and a google.rpc.Status in the request encoding', async () => {
    const malformed = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), {
      'content-type': 'application/x-protobuf',
    })
    expect(malformed.status).toBe(400)
    expect(malformed.headers.get('content-type')).toBe('application/x-protobuf')
    const status = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await malformed.arrayBuffer())))
    expect(status).toMatchObject({ code: 3, message: expect.stringMatching(/not a valid protobuf/) })

    const badJson = await post('{"resourceSpans": [', { 'content-type': 'application/json' })
    expect(badJson.status).toBe(400)
    expect(await badJson.json()).toMatchObject({ code: 3 })

    const wrongType = await post('hello', { 'content-type': 'text/plain' })
    expect(wrongType.status).toBe(415)
    expect(((await wrongType.json()) as { message: string }).message).toMatch(/application\/x-protobuf/)

    const big = await post(Buffer.alloc(2 * 1024 * 1024), { 'content-type': 'application/x-protobuf' })
    expect(big.status).toBe(413)
    const bomb = await post(gzipSync(Buffer.alloc(4 * 1024 * 1024)), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    })
    expect(bomb.status).toBe(413)

    const unauth = await fetch(`${leash.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      body: '{}',
    })
    expect(unauth.status).toBe(401)
    expect(await unauth.json()).toMatchObject({ code: 16 })

    const empty = await post(Buffer.alloc(0), { 'content-type': 'application/x-protobuf' })
    expect(empty.status).toBe(200)
    expect(
      ExportTraceServiceResponse.toObject(
        ExportTraceServiceResponse.decode(new Uint8Array(await empty.arrayBuffer())),
      ),
    ).toEqual({})
  }, 30_000)
})
