import type { ExchangeItem, ExchangesPage } from '@leash/shared'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../../src/auth/index.ts'
import { projectKeys, projects } from '../../src/db/postgres/index.ts'
import {
  ADMIN_PASSWORD,
  api,
  eventually,
  PROJECT_KEY,
  type StoreMode,
  startTestLeash,
  type TestLeash,
} from './leash.ts'
import { startTestUpstream, type TestUpstream } from './upstream.ts'

/** The walking skeleton end to end: openai client → gateway → upstream, then ClickHouse → API. */
export function defineEndToEndSuite(mode: StoreMode): void {
  describe(`end to end on ${mode} stores`, () => {
    let upstream: TestUpstream
    let leash: TestLeash
    let client: OpenAI

    beforeAll(async () => {
      upstream = await startTestUpstream()
      leash = await startTestLeash({ mode, upstreamUrl: upstream.baseUrl })
      client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    })
    afterAll(async () => {
      await leash?.stop()
      await upstream?.close()
    })

    async function exchangeById(id: string): Promise<ExchangeItem> {
      return eventually(async () => {
        const { status, body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=50')
        expect(status).toBe(200)
        const item = body.items.find((i) => i.id === id)
        return item && 'refusal' in item.scores ? item : undefined
      }, 5_000)
    }

    it('answers /healthz once migrated', async () => {
      const res = await fetch(`${leash.url}/healthz`)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'ok' })
    })

    it('proxies a non-streaming chat call unchanged and records it with a refusal score', async () => {
      const before = Date.now()
      const completion = await client.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      })
      const sent = upstream.sent.at(-1)
      expect(sent).toBeDefined()
      expect(completion).toEqual(JSON.parse(sent?.body ?? 'null'))
      const got = upstream.received.at(-1)
      expect(got?.headers.authorization).toBe('Bearer sk-upstream-secret')

      const pages = await eventually(async () => {
        const { body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=10')
        const item = body.items.find((i) => i.prompt === 'What is the capital of France?')
        return item && 'refusal' in item.scores ? { body, item } : undefined
      }, 5_000)
      const { item } = pages
      expect(Date.parse(item.time)).toBeGreaterThanOrEqual(before - 1000)
      expect(item.model).toBe(completion.model)
      expect(item.status).toBe(200)
      expect(item.outcome).toBe('ok')
      expect(item.stream).toBe(false)
      expect(item.latencyMs).toBeGreaterThan(0)
      expect(item.usage).toEqual({
        promptTokens: completion.usage?.prompt_tokens,
        completionTokens: completion.usage?.completion_tokens,
        cachedTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      })
      expect(item.responseText).toBe(completion.choices[0]?.message.content)
      expect(item.labels.refusal).toBe('none')
      expect(item.scores.refusal).toBeLessThan(0.5)
      // Every built-in scorer ran on it (in the worker pool), including the built-in reward model.
      const all = await eventually(async () => {
        const { body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=10')
        const found = body.items.find((i) => i.id === item.id)
        return found && ['reward', 'prompt_risk', 'length_tokens'].every((k) => k in found.scores)
          ? found
          : undefined
      }, 5_000)
      expect(Object.keys(all.scores)).toEqual(
        expect.arrayContaining(['false_refusal', 'violation', 'hedges', 'distinct_2']),
      )
      expect(all.labels.prompt_risk).toBe('benign')
      expect(Number.isFinite(all.scores.reward)).toBe(true)
    })

    it('streams chunk for chunk and records the assembled text', async () => {
      upstream.setMode({ kind: 'normal', chunks: 5 })
      const stream = await client.chat.completions.create({
        model: 'gpt-test',
        stream: true,
        messages: [{ role: 'user', content: 'Stream me a greeting' }],
      })
      const chunks: unknown[] = []
      for await (const chunk of stream) chunks.push(chunk)
      const sent = upstream.sent.at(-1)
      expect(sent?.events.length).toBeGreaterThanOrEqual(5)
      // Leash asked upstream for usage on the caller's behalf; the caller sees the stream without it.
      const events = (sent?.events ?? []).map((e) => JSON.parse(e) as { choices: unknown[]; usage?: unknown })
      expect(chunks).toEqual(events.filter((e) => e.choices.length > 0).map(({ usage: _, ...rest }) => rest))
      const text = chunks
        .map((c) => (c as OpenAI.ChatCompletionChunk).choices[0]?.delta.content ?? '')
        .join('')
      const id = (chunks[0] as OpenAI.ChatCompletionChunk).id
      expect(text.length).toBeGreaterThan(0)
      const item = await eventually(async () => {
        const { body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=10')
        const found = body.items.find((i) => i.prompt === 'Stream me a greeting')
        return found && 'refusal' in found.scores ? found : undefined
      })
      expect(item.stream).toBe(true)
      expect(item.responseText).toBe(text)
      expect(item.ttftMs).not.toBeNull()
      expect(id).toBeTruthy()
      upstream.setMode({ kind: 'normal' })
    })

    it('pages exchanges newest first with a total', async () => {
      const { status, body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=1&offset=0')
      expect(status).toBe(200)
      expect(body.total).toBeGreaterThanOrEqual(2)
      expect(body.items).toHaveLength(1)
      const second = await api<ExchangesPage>(leash, '/api/exchanges?limit=1&offset=1')
      expect(Date.parse(body.items[0]?.time ?? '')).toBeGreaterThanOrEqual(
        Date.parse(second.body.items[0]?.time ?? ''),
      )
      await exchangeById(body.items[0]?.id ?? '')
    })

    it('rejects malformed JSON, missing messages and an unknown key in OpenAI error shape', async () => {
      const raw = await fetch(`${leash.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PROJECT_KEY}`, 'content-type': 'application/json' },
        body: '{"model": "gpt-test", "messages": [',
      })
      expect(raw.status).toBe(400)
      const err = (await raw.json()) as { error: { message: string; type: string } }
      expect(err.error.type).toBe('invalid_request_error')
      expect(err.error.message).toMatch(/json/i)

      const missing = client.chat.completions.create({ model: 'gpt-test' } as never)
      await expect(missing).rejects.toBeInstanceOf(OpenAI.BadRequestError)
      await expect(missing).rejects.toMatchObject({ status: 400, param: 'messages' })

      const stranger = new OpenAI({
        apiKey: 'lsk_not_a_real_key_at_all',
        baseURL: `${leash.url}/v1`,
        maxRetries: 0,
      })
      await expect(
        stranger.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
      ).rejects.toBeInstanceOf(OpenAI.AuthenticationError)

      const ok = await client.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'still up?' }],
      })
      expect(ok.choices[0]?.message.content).toContain('still up?')
    })

    it('guards the API: 401 without login, session cookie after login', async () => {
      const anon = await fetch(`${leash.url}/api/exchanges`)
      expect(anon.status).toBe(401)
      const body = (await anon.json()) as { error: { code: string; message: string; requestId: string } }
      expect(body.error.code).toBe('unauthorized')
      expect(body.error.requestId).toBeTruthy()

      const bad = await fetch(`${leash.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@leash.local', password: 'wrong' }),
      })
      expect(bad.status).toBe(401)
      const good = await fetch(`${leash.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@leash.local', password: ADMIN_PASSWORD }),
      })
      expect(good.status).toBe(200)
      const cookie = good.headers.get('set-cookie')?.split(';')[0] ?? ''
      expect(cookie).toMatch(/^leash_session=/)
      const me = await fetch(`${leash.url}/api/auth/me`, { headers: { cookie } })
      expect(await me.json()).toMatchObject({ email: 'admin@leash.local', role: 'admin' })
      const page = await fetch(`${leash.url}/api/exchanges?limit=1`, { headers: { cookie } })
      expect(page.status).toBe(200)
      const invalid = await api(leash, '/api/exchanges?limit=0')
      expect(invalid.status).toBe(400)
    })

    it('never stores the caller key or the upstream key', async () => {
      await leash.pipeline.flush()
      const rs = await leash.clickhouse.query({
        query: `SELECT count() AS total, countIf(hasKey OR hasCaller) AS leaked FROM (
                  SELECT position(concat(request_json, response_text, toString(tags), error_message), {k:String}) > 0 AS hasKey,
                         position(concat(request_json, response_text, toString(tags), error_message), {c:String}) > 0 AS hasCaller
                  FROM raw_responses_v1)`,
        query_params: { k: 'sk-upstream-secret', c: PROJECT_KEY },
        format: 'JSONEachRow',
      })
      const [row] = (await rs.json()) as Array<{ total: number | string; leaked: number | string }>
      expect(Number(row?.total)).toBeGreaterThan(3)
      expect(Number(row?.leaked)).toBe(0)
      const { status, body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=100')
      expect(status).toBe(200)
      expect(JSON.stringify(body)).not.toContain(PROJECT_KEY)
    })

    it('keeps each project to its own data', async () => {
      const otherKey = 'lsk_other_project_key_987654321'
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
      await otherClient.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'secret of other' }],
      })
      const mine = await eventually(async () => {
        const { body } = await api<ExchangesPage>(leash, `/api/exchanges?limit=100&project=${other.id}`)
        return body.total === 1 && body.items.length === 1 ? body : undefined
      })
      expect(mine.items[0]?.prompt).toBe('secret of other')
      expect(mine.items[0]?.projectId).toBe(other.id)
      const bySlug = await api<ExchangesPage>(leash, '/api/exchanges?limit=100&project=other')
      expect(bySlug.body.total).toBe(1)
      const defaults = await api<ExchangesPage>(leash, '/api/exchanges?limit=100')
      expect(defaults.body.items.some((i) => i.prompt === 'secret of other')).toBe(false)
      expect(defaults.body.items.every((i) => i.projectId === leash.bootstrap.defaultProjectId)).toBe(true)
      const missing = await api(leash, '/api/exchanges?project=nope')
      expect(missing.status).toBe(404)
    })

    it('answers 502 when the upstream is unreachable, and keeps serving', async () => {
      await upstream.close()
      const call = client.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'anyone?' }],
      })
      await expect(call).rejects.toBeInstanceOf(OpenAI.APIError)
      await expect(call).rejects.toMatchObject({ status: 502 })
      const health = await fetch(`${leash.url}/healthz`)
      expect(health.status).toBe(200)
      const item = await eventually(async () => {
        const { body } = await api<ExchangesPage>(leash, '/api/exchanges?limit=10')
        return body.items.find((i) => i.prompt === 'anyone?')
      })
      expect(item.status).toBe(502)
      expect(item.outcome).toBe('upstream_error')
    })
  })
}
