import type { ExchangeDetail } from '@leash/shared'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../../src/auth/index.ts'
import { uuidV7Millis } from '../../src/core/uuid.ts'
import { projectKeys, projects } from '../../src/db/postgres/index.ts'
import { api, eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

type ErrorBody = { error: { code: string; message: string; requestId: string } }

const SOURCES = [
  { id: 'doc-1', text: 'Paris is the capital of France.', url: 'https://example.test/paris' },
  { id: 'doc-2', text: 'France is in Europe.' },
]
const TOOLS = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
]

describe('GET /api/exchanges/:id', () => {
  let upstream: TestUpstream
  let leash: TestLeash
  let client: OpenAI
  let textId = ''
  let toolId = ''

  beforeAll(async () => {
    upstream = await startTestUpstream()
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: upstream.baseUrl })
    client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })

    const text = await client.chat.completions
      .create(
        {
          model: 'gpt-test',
          messages: [
            { role: 'system', content: 'Answer from the sources.' },
            { role: 'user', content: 'What is the capital of France?' },
          ],
          tools: TOOLS,
        },
        {
          headers: {
            'x-leash-feature': 'geo-qa',
            'x-leash-user': 'user-42',
            'x-leash-session': 'sess-7',
            'x-leash-policy-version': 'p3',
            'x-leash-tags': 'team=search,tier=gold',
            'x-leash-sources': Buffer.from(JSON.stringify(SOURCES)).toString('base64'),
          },
        },
      )
      .withResponse()
    textId = text.response.headers.get('x-leash-event-id') ?? ''

    upstream.setMode({ kind: 'tool_calls' })
    const tool = await client.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: TOOLS })
      .withResponse()
    toolId = tool.response.headers.get('x-leash-event-id') ?? ''
    upstream.setMode({ kind: 'normal' })
    await leash.pipeline.flush()
  }, 30_000)

  afterAll(async () => {
    await leash?.stop()
    await upstream?.close()
  })

  async function detail(id: string): Promise<ExchangeDetail> {
    return eventually(async () => {
      const { status, body } = await api<ExchangeDetail>(leash, `/api/exchanges/${id}`)
      if (status !== 200) throw new Error(`status ${status}: ${JSON.stringify(body)}`)
      return body.scorers.some((s) => s.name === 'refusal') ? body : undefined
    }, 10_000)
  }

  it('returns one exchange whole: request, response, tags, sources, tools, usage and scores', async () => {
    expect(textId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    const d = await detail(textId)
    expect(d.id).toBe(textId)
    expect(d.projectId).toBe(leash.bootstrap.defaultProjectId)
    expect(Math.abs(Date.parse(d.time) - (uuidV7Millis(textId) ?? 0))).toBeLessThan(1_000)
    expect(d.model).toBe('gpt-test-2024') // as recorded: the model the upstream says answered
    expect(d.endpoint).toBe('chat.completions')
    expect(d.status).toBe(200)
    expect(d.outcome).toBe('ok')
    expect(d.responseText).toBe('Hello! You said: What is the capital of France?')
    expect(d.prompt).toBe('What is the capital of France?')
    expect(d.messages).toEqual([
      { role: 'system', content: 'Answer from the sources.' },
      { role: 'user', content: 'What is the capital of France?' },
    ])
    expect(d.tools).toEqual(TOOLS)
    expect(d.toolCalls).toEqual([])
    expect(d.sources).toEqual(SOURCES)
    expect(d.tags).toEqual({
      user: 'user-42',
      session: 'sess-7',
      feature: 'geo-qa',
      policyVersion: 'p3',
      extra: { team: 'search', tier: 'gold' },
    })
    expect(d.usage).toEqual({ promptTokens: 11, completionTokens: 7, cachedTokens: 3 })
    expect(d.usageSource).toBe('upstream')
    expect(d.route).not.toBe('')
    expect(d.upstream).not.toBe('')
    expect(d.costUsd).toBeGreaterThanOrEqual(0)
    expect(d.latencyMs).toBeGreaterThan(0)
    expect(d.errorMessage).toBe('')
    expect(d.finishReason).toBe('stop')
    // Every score row names its scorer and version, and the flat map agrees with the rows.
    for (const s of d.scorers) {
      expect(s.scorer).not.toBe('')
      expect(s.version).not.toBe('')
      expect(Number.isFinite(s.value)).toBe(true)
    }
    const keys = d.scorers.map((s) => `${s.scorer}/${s.version}/${s.name}`)
    expect(new Set(keys).size).toBe(keys.length)
    const refusal = d.scorers.find((s) => s.name === 'refusal')
    expect(d.scores.refusal).toBe(refusal?.value)
  })

  it('returns the tool calls the model made', async () => {
    const d = await detail(toolId)
    expect(d.finishReason).toBe('tool_calls')
    expect(d.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }])
    expect(d.messages).toEqual([{ role: 'user', content: 'Weather in Paris?' }])
  })

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknownV7 = `${textId.slice(0, 24)}000000000000`
    const missing = await api<ErrorBody>(leash, `/api/exchanges/${unknownV7}`)
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('not_found')
    // Not a v7 id: read without the time range, still not found.
    const v4 = await api<ErrorBody>(leash, '/api/exchanges/8b0e3c5a-2f4d-4c1e-9a7b-1234567890ab')
    expect(v4.status).toBe(404)
    const bad = await api<ErrorBody>(leash, '/api/exchanges/not-a-uuid')
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('bad_request')
    const quote = await api<ErrorBody>(leash, `/api/exchanges/${encodeURIComponent("x' OR 1=1 --")}`)
    expect(quote.status).toBe(400)
    const anon = await fetch(`${leash.url}/api/exchanges/${textId}`)
    expect(anon.status).toBe(401)
  })

  it('never shows an exchange under another project', async () => {
    const otherKey = 'lsk_other_detail_key_987654321'
    const [other] = await leash.postgres.db
      .insert(projects)
      .values({ slug: 'other', name: 'Other' })
      .returning()
    if (!other) throw new Error('no project row')
    await leash.postgres.db.insert(projectKeys).values({
      projectId: other.id,
      name: 'test',
      keyHash: sha256(otherKey),
      prefix: otherKey.slice(0, 8),
    })
    const otherClient = new OpenAI({ apiKey: otherKey, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const res = await otherClient.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'secret of other' }] })
      .withResponse()
    const otherId = res.response.headers.get('x-leash-event-id') ?? ''
    await leash.pipeline.flush()
    const own = await eventually(async () => {
      const r = await api<ExchangeDetail>(leash, `/api/exchanges/${otherId}?project=${other.id}`)
      return r.status === 200 ? r.body : undefined
    })
    expect(own.responseText).toBe('Hello! You said: secret of other')
    const leaked = await api<ErrorBody>(leash, `/api/exchanges/${otherId}`)
    expect(leaked.status).toBe(404)
    expect(JSON.stringify(leaked.body)).not.toContain('secret of other')
    const crossed = await api<ErrorBody>(leash, `/api/exchanges/${textId}?project=other`)
    expect(crossed.status).toBe(404)
  })
})
