import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDemoTrafficArgs, runDemoTraffic } from '../../src/cli/demo-traffic.ts'
import { type DemoModel, startDemoModel } from '../../src/demo/model-server.ts'
import { demoPrompts, promptsByCategory } from '../../src/demo/prompts.ts'
import { SCENARIO_METADATA_KEY } from '../../src/demo/scenario.ts'
import type { DemoPrompt } from '../../src/demo/types.ts'
import { classifyRefusal } from '../../src/scoring/refusal-heuristic.ts'
import { PROJECT_KEY, startTestLeash } from '../support/leash.ts'

let demo: DemoModel
let client: OpenAI

beforeAll(async () => {
  demo = await startDemoModel({ latencyScale: 0, seed: 7 })
  client = new OpenAI({ baseURL: demo.baseUrl, apiKey: 'demo', maxRetries: 0 })
})
afterAll(async () => {
  await demo.close()
})

function sourcesHeader(prompt: DemoPrompt): Record<string, string> {
  return prompt.sources
    ? { 'x-leash-sources': Buffer.from(JSON.stringify(prompt.sources)).toString('base64') }
    : {}
}

async function ask(prompt: DemoPrompt, model = 'leash-demo-mini') {
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    ...(prompt.system ? [{ role: 'system' as const, content: prompt.system }] : []),
    { role: 'user', content: prompt.turns[0] ?? '' },
  ]
  const tools = prompt.tools?.map((t) => ({
    type: 'function' as const,
    function: { ...t.function, parameters: { ...t.function.parameters } },
  }))
  const res = await client.chat.completions.create(
    { model, messages, ...(tools ? { tools } : {}) },
    { headers: sourcesHeader(prompt) },
  )
  return res.choices[0]?.message
}

describe('demo model: OpenAI shapes', () => {
  it('answers a non-streaming chat call, labelled as a demo, with realistic usage', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'leash-demo-mini',
        messages: [{ role: 'user', content: 'How do I reverse a list in Python?' }],
      })
      .withResponse()
    expect(response.headers.get('x-leash-demo')).toBe('1')
    expect(data.object).toBe('chat.completion')
    expect(data.id).toMatch(/^chatcmpl-/)
    expect(data.system_fingerprint).toBe('leash-demo')
    const text = data.choices[0]?.message.content ?? ''
    expect(text.length).toBeGreaterThan(20)
    expect(data.choices[0]?.finish_reason).toBe('stop')
    expect(data.usage?.completion_tokens).toBe(Math.ceil(text.length / 4))
    expect(data.usage?.total_tokens).toBe(
      (data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0),
    )
  })

  it('streams role delta, content deltas, a finish chunk, then a usage chunk with empty choices', async () => {
    const stream = await client.chat.completions.create({
      model: 'leash-demo-pro',
      messages: [{ role: 'user', content: 'Explain compound interest with an example.' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant')
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
    expect(content.length).toBeGreaterThan(20)
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? '').length > 0).length).toBeGreaterThan(3)
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true)
    const last = chunks[chunks.length - 1]
    expect(chunks[chunks.length - 2]?.choices[0]?.finish_reason).toBe('stop')
    expect(last?.choices).toEqual([])
    expect(last?.usage?.completion_tokens).toBe(Math.ceil(content.length / 4))

    const raw = await fetch(`${demo.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'leash-demo-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    })
    expect(raw.headers.get('content-type')).toContain('text/event-stream')
    const wire = await raw.text()
    expect(wire.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(wire).not.toContain('"usage"')
  })

  it('returns tool calls whose JSON arguments match the declared schema', async () => {
    const [weather] = promptsByCategory('tool-use')
    const tools = weather?.tools?.map((t) => ({
      type: 'function' as const,
      function: { ...t.function, parameters: { ...t.function.parameters } },
    }))
    const res = await client.chat.completions.create({
      model: 'leash-demo-mini',
      messages: [{ role: 'user', content: 'What is the weather in Paris right now?' }],
      tools: tools ?? [],
      tool_choice: 'required',
    })
    const call = res.choices[0]?.message.tool_calls?.[0]
    expect(res.choices[0]?.finish_reason).toBe('tool_calls')
    expect(call?.type).toBe('function')
    if (call?.type !== 'function') throw new Error('expected a function call')
    expect(call.function.name).toBe('get_weather')
    expect(JSON.parse(call.function.arguments)).toMatchObject({ city: 'Paris' })
  })

  it('serves completions, embeddings (base64 by default in the client, and float) and models', async () => {
    const done = await client.completions.create({
      model: 'leash-demo-mini',
      prompt: 'Write a haiku about autumn leaves.',
    })
    expect(done.object).toBe('text_completion')
    expect(done.choices[0]?.text.length).toBeGreaterThan(10)

    const emb = await client.embeddings.create({
      model: 'leash-demo-embed',
      input: ['red apple pie', 'red apple tart', 'tax law'],
    })
    const [a, b, c] = emb.data.map((d) => d.embedding)
    expect(a).toHaveLength(256)
    const dot = (x: number[] = [], y: number[] = []) => x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0)
    expect(dot(a, a)).toBeCloseTo(1, 4)
    expect(dot(a, b)).toBeGreaterThan(dot(a, c))
    const again = await client.embeddings.create({
      model: 'leash-demo-embed',
      input: 'red apple pie',
      dimensions: 64,
      encoding_format: 'float',
    })
    expect(again.data[0]?.embedding).toHaveLength(64)
    expect(again.usage.prompt_tokens).toBeGreaterThan(0)

    const models = await client.models.list()
    expect(models.data.map((m) => m.id)).toEqual(
      expect.arrayContaining(['leash-demo-mini', 'leash-demo-pro']),
    )
  })

  it('answers bad requests with OpenAI-shaped errors', async () => {
    const missing = await client.chat.completions
      .create({ model: 'leash-demo-mini' } as never)
      .catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError)
    expect((missing as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages')
    const unknown = await client.chat.completions
      .create({ model: 'gpt-unknown', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError)
    const raw = await fetch(`${demo.baseUrl}/chat/completions`, { method: 'POST', body: '{not json' })
    expect(raw.status).toBe(400)
    const body = (await raw.json()) as { error: { message: string; type: string } }
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.message).toMatch(/JSON/)
  })

  it('is deterministic per prompt and seed, and paces the first token when latency is on', async () => {
    const prompt = demoPrompts[3] as DemoPrompt
    expect((await ask(prompt))?.content).toBe((await ask(prompt))?.content)
    const slow = await startDemoModel({ latencyScale: 1 })
    try {
      const slowClient = new OpenAI({ baseURL: slow.baseUrl, apiKey: 'demo', maxRetries: 0 })
      const started = Date.now()
      const stream = await slowClient.chat.completions.create({
        model: 'leash-demo-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      })
      let firstAt = 0
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta) firstAt = Date.now()
        break
      }
      expect(firstAt - started).toBeGreaterThanOrEqual(45)
      expect(firstAt - started).toBeLessThan(1500)
    } finally {
      await slow.close()
    }
  })
})

describe('demo model: the variety Leash exists to measure', () => {
  it('over its own prompts: full and partial refusals, false refusals, citations, tool calls', async () => {
    const results = await Promise.all(demoPrompts.map(async (p) => ({ p, m: await ask(p) })))
    const label = (cat: string) =>
      results.filter((r) => r.p.category === cat).map((r) => classifyRefusal(r.m?.content ?? '').label)
    const share = (labels: string[], want: string[]) =>
      labels.filter((l) => want.includes(l)).length / labels.length

    const harmful = label('harmful')
    const benign = [...label('everyday'), ...label('coding')]
    const scary = label('scary-benign')
    const retrieval = results.filter((r) => r.p.category === 'retrieval').map((r) => r.m?.content ?? '')
    const tools = results.filter((r) => r.p.category === 'tool-use').flatMap((r) => r.m?.tool_calls ?? [])
    const parsed = tools.filter(
      (t) =>
        t.type === 'function' &&
        (() => {
          try {
            JSON.parse(t.function.arguments)
            return true
          } catch {
            return false
          }
        })(),
    )
    console.log(
      `demo prompts n=${results.length}: harmful refused ${share(harmful, ['full', 'partial']).toFixed(2)} (partial ${harmful.filter((l) => l === 'partial').length}), ` +
        `benign refused ${share(benign, ['full', 'partial']).toFixed(2)} of ${benign.length}, scary-benign refused ${share(scary, ['full', 'partial']).toFixed(2)}, ` +
        `retrieval cited ${retrieval.filter((t) => /\[s?\d+\]/.test(t)).length}/${retrieval.length}, tool calls ${tools.length} (${parsed.length} valid JSON)`,
    )
    expect(share(harmful, ['full'])).toBeGreaterThan(0.5)
    expect(harmful.filter((l) => l === 'partial').length).toBeGreaterThan(0)
    expect(share(benign, ['full', 'partial'])).toBeGreaterThan(0)
    expect(share(benign, ['full', 'partial'])).toBeLessThan(0.2)
    expect(share(scary, ['full', 'partial'])).toBeGreaterThan(share(benign, ['full', 'partial']))
    expect(retrieval.filter((t) => /\[s?\d+\]/.test(t)).length).toBeGreaterThan(retrieval.length / 2)
    expect(tools.length).toBeGreaterThan(5)
    expect(parsed.length).toBeGreaterThan(tools.length / 2)
  })

  it('ships at least 150 categorized prompts', () => {
    expect(demoPrompts.length).toBeGreaterThanOrEqual(150)
    const cats = new Set(demoPrompts.map((p) => p.category))
    expect([...cats].sort()).toEqual([
      'coding',
      'everyday',
      'harmful',
      'multi-turn',
      'retrieval',
      'scary-benign',
      'tool-use',
    ])
    expect(promptsByCategory('retrieval').every((p) => (p.sources?.length ?? 0) >= 2)).toBe(true)
    expect(new Set(demoPrompts.map((p) => p.id)).size).toBe(demoPrompts.length)
  })
})

describe('demo traffic', () => {
  it('sends the asked number of calls, streams some, and spans categories', async () => {
    const progress: number[] = []
    const root = demo.baseUrl.replace(/\/v1$/, '')
    const summary = await runDemoTraffic({
      baseUrl: root,
      apiKey: 'k',
      count: 60,
      concurrency: 4,
      seed: 3,
      onProgress: (d) => progress.push(d),
    })
    expect(summary).toMatchObject({ sent: 60, ok: 60, failed: 0 })
    expect(summary.streamed).toBeGreaterThan(5)
    expect(summary.streamed).toBeLessThan(50)
    expect(Object.values(summary.byCategory).reduce((a, b) => a + b, 0)).toBe(60)
    expect(Object.keys(summary.byCategory).length).toBeGreaterThanOrEqual(4)
    expect(progress[progress.length - 1]).toBe(60)
  })

  it('counts failed calls without stopping the run', async () => {
    const dead = await startDemoModel({ latencyScale: 0 })
    const url = dead.baseUrl
    await dead.close()
    const summary = await runDemoTraffic({ baseUrl: url, apiKey: 'k', count: 5, concurrency: 2, seed: 1 })
    expect(summary).toMatchObject({ sent: 5, ok: 0, failed: 5 })
  })

  it('parses flags with defaults and rejects bad ones clearly', () => {
    expect(parseDemoTrafficArgs([])).toEqual({ count: 300, concurrency: 8 })
    expect(
      parseDemoTrafficArgs([
        '--count',
        '20',
        '--concurrency=3',
        '--base-url',
        'http://127.0.0.1:9/',
        '--key',
        'lsk_x',
        '--seed',
        '5',
      ]),
    ).toEqual({
      count: 20,
      concurrency: 3,
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'lsk_x',
      seed: 5,
    })
    expect(() => parseDemoTrafficArgs(['--count', 'ten'])).toThrow(/--count must be a whole number/)
    expect(() => parseDemoTrafficArgs(['--count'])).toThrow(/--count needs a value/)
    expect(() => parseDemoTrafficArgs(['--speed', '3'])).toThrow(/unknown flag '--speed'/)
  })
})

describe('demo model: scenarios', () => {
  const meta = (scenario: string) => ({ metadata: { [SCENARIO_METADATA_KEY]: scenario } })

  async function run(prompts: DemoPrompt[], scenario: string | null, c: OpenAI = client) {
    return Promise.all(
      prompts.map(async (p) => {
        const res = await c.chat.completions.create(
          {
            model: 'leash-demo-mini',
            messages: [
              ...(p.system ? [{ role: 'system' as const, content: p.system }] : []),
              { role: 'user' as const, content: p.turns[0] ?? '' },
            ],
            ...(scenario ? meta(scenario) : {}),
          },
          { headers: sourcesHeader(p) },
        )
        return { text: res.choices[0]?.message.content ?? '', usage: res.usage }
      }),
    )
  }

  const benign = demoPrompts.filter((p) => p.category === 'everyday' || p.category === 'scary-benign')
  const retrieval = demoPrompts.filter((p) => p.category === 'retrieval')

  it('over-refusal refuses many more benign prompts', async () => {
    const refusals = (rs: Array<{ text: string }>) =>
      rs.filter((r) => classifyRefusal(r.text).label !== 'none').length
    const normal = refusals(await run(benign, null))
    const shifted = refusals(await run(benign, 'over-refusal'))
    expect(shifted).toBeGreaterThan(normal * 2.5)
    expect(shifted / benign.length).toBeGreaterThan(0.25)
  })

  it('verbosity-hack answers much longer; cost-spike bills 6x the prompt', async () => {
    const tokens = (rs: Array<{ usage?: OpenAI.CompletionUsage }>) =>
      rs.reduce((a, r) => a + (r.usage?.completion_tokens ?? 0), 0)
    const everyday = benign.slice(0, 20)
    const normal = await run(everyday, null)
    expect(tokens(await run(everyday, 'verbosity-hack'))).toBeGreaterThan(tokens(normal) * 1.8)
    const spiked = await run(everyday, 'cost-spike')
    expect(spiked.map((r) => r.usage?.prompt_tokens)).toEqual(
      normal.map((r) => (r.usage?.prompt_tokens ?? 0) * 6),
    )
    expect(spiked.map((r) => r.text)).toEqual(normal.map((r) => r.text))
  })

  it('citation-decay drops and scrambles citations', async () => {
    const cited = (rs: Array<{ text: string }>) => rs.filter((r) => /\[s?\d+\]/.test(r.text)).length
    const normal = cited(await run(retrieval, null))
    const decayed = cited(await run(retrieval, 'citation-decay'))
    expect(decayed).toBeLessThan(normal * 0.6)
  })

  it('latency-regression slows the first token about threefold', async () => {
    const slow = await startDemoModel({ latencyScale: 0.2, seed: 7 })
    try {
      const c = new OpenAI({ baseURL: slow.baseUrl, apiKey: 'demo', maxRetries: 0 })
      const prompts = benign.slice(0, 6)
      const time = async (scenario: string | null) => {
        const t0 = performance.now()
        await run(prompts, scenario, c)
        return performance.now() - t0
      }
      const normal = await time(null)
      const regressed = await time('latency-regression')
      expect(regressed / normal).toBeGreaterThan(2)
    } finally {
      await slow.close()
    }
  })

  it('the scenario switch survives the gateway (metadata is forwarded)', async () => {
    const leash = await startTestLeash({ mode: 'embedded', upstreamUrl: demo.baseUrl })
    try {
      const c = new OpenAI({ baseURL: `${leash.url}/v1`, apiKey: PROJECT_KEY, maxRetries: 0 })
      const [normal] = await run(benign.slice(0, 1), null, c)
      const [spiked] = await run(benign.slice(0, 1), 'cost-spike', c)
      expect(spiked?.usage?.prompt_tokens).toBe((normal?.usage?.prompt_tokens ?? 0) * 6)
    } finally {
      await leash.stop()
    }
  }, 60_000)

  it('demo traffic switches the scenario on partway through', async () => {
    const root = demo.baseUrl.replace(/\/v1$/, '')
    const summary = await runDemoTraffic({
      baseUrl: root,
      apiKey: 'k',
      count: 40,
      concurrency: 4,
      seed: 3,
      scenario: 'over-refusal',
      shiftAt: 0.5,
      recoverAt: 0.75,
    })
    expect(summary).toMatchObject({ sent: 40, ok: 40, shifted: 10 })
    expect(
      parseDemoTrafficArgs(['--scenario', 'cost-spike', '--shift-at', '0.25', '--recover-at=0.9']),
    ).toMatchObject({ scenario: 'cost-spike', shiftAt: 0.25, recoverAt: 0.9 })
    expect(() => parseDemoTrafficArgs(['--scenario', 'chaos'])).toThrow(/--scenario must be one of/)
    expect(() => parseDemoTrafficArgs(['--shift-at', '0.5'])).toThrow(/need --scenario/)
    expect(() => parseDemoTrafficArgs(['--scenario', 'cost-spike', '--shift-at', '2'])).toThrow(
      /between 0 and 1/,
    )
    expect(() =>
      parseDemoTrafficArgs(['--scenario', 'cost-spike', '--shift-at', '0.5', '--recover-at', '0.4']),
    ).toThrow(/after --shift-at/)
  })
})
