import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uuidV7Millis as uuidV7Time } from '../../src/core/uuid.ts'
import { insertExchanges } from '../../src/db/clickhouse/index.ts'
import { levenshtein, normalizedEditDistance } from '../../src/feedback/edit-distance.ts'
import { queryMetricWindow } from '../../src/metrics/query.ts'
import { api, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

describe('edit distance', () => {
  it('is Levenshtein on tokens normalized by the longer side', () => {
    expect(levenshtein([...'kitten'], [...'sitting'])).toBe(3)
    expect(normalizedEditDistance('the cat sat', 'the cat sat')).toBe(0)
    expect(normalizedEditDistance('the cat sat', 'the dog sat down')).toBe(0.5) // 2 edits / 4 tokens
    expect(normalizedEditDistance('', '')).toBe(0)
    expect(normalizedEditDistance('a b c', '')).toBe(1)
  })

  it('stays fast on long texts (bounded token count)', () => {
    const long = 'word '.repeat(50_000)
    const t = performance.now()
    const d = normalizedEditDistance(long, `${long} extra`)
    expect(d).toBe(0)
    expect(performance.now() - t).toBeLessThan(5_000)
  })

  it('reads the time from a UUIDv7', () => {
    expect(uuidV7Time('019ac0f0-0000-7000-8000-000000000000')).toBe(0x019ac0f00000)
    expect(uuidV7Time(randomUUID())).toBeNull()
  })
})

describe('POST /api/feedback', () => {
  let leash: TestLeash
  let eventId: string
  let projectId: string

  async function post(body: unknown, key: string | null = PROJECT_KEY) {
    const res = await fetch(`${leash.url}/api/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  beforeAll(async () => {
    leash = await startTestLeash({ mode: 'embedded' })
    const res = await fetch(`${leash.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PROJECT_KEY}` },
      body: JSON.stringify({
        model: 'leash-demo-mini',
        messages: [{ role: 'user', content: 'How do I boil an egg?' }],
      }),
    })
    expect(res.status).toBe(200)
    eventId = res.headers.get('x-leash-event-id') ?? ''
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/)
    await res.json()
    await leash.pipeline.flush()
    const projects = await api<{ items: Array<{ id: string }> }>(leash, '/api/projects')
    projectId = projects.body.items[0]?.id ?? ''
  }, 60_000)

  afterAll(async () => {
    await leash?.stop()
  })

  it('stores thumbs, task completion, edits and refusal reports', async () => {
    const r = await post({ eventId, thumbs: 'up', taskCompleted: true, comment: 'great' })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ eventId, editDistance: null })
    const edit = await post({ eventId, editedText: 'Something else entirely.' })
    expect(edit.status).toBe(201)
    expect(edit.body.editDistance).toBeGreaterThan(0.5)
    expect(edit.body.editDistance).toBeLessThanOrEqual(1)
    expect((await post({ eventId, refusalWrong: true })).status).toBe(201)

    const window = { projectId, from: Date.now() - 3_600_000, to: Date.now() + 60_000, minSamples: 1 }
    const [sat] = await queryMetricWindow(leash.clickhouse, { ...window, metric: 'satisfaction' })
    expect(sat).toMatchObject({ n: 1, value: 1 })
    const [task] = await queryMetricWindow(leash.clickhouse, { ...window, metric: 'task_completion_rate' })
    expect(task).toMatchObject({ n: 1, value: 1 })
    const [ed] = await queryMetricWindow(leash.clickhouse, { ...window, metric: 'edit_distance_mean' })
    expect(ed?.value).toBe(edit.body.editDistance)
    const [reports] = await queryMetricWindow(leash.clickhouse, {
      ...window,
      metric: 'user_false_refusal_reports',
    })
    expect(reports?.value).toBe(1)
    // The latest thumbs wins: a change of mind does not count twice.
    expect((await post({ eventId, thumbs: 'down' })).status).toBe(201)
    const [sat2] = await queryMetricWindow(leash.clickhouse, { ...window, metric: 'satisfaction' })
    expect(sat2).toMatchObject({ n: 1, value: 0 })
  })

  it('answers 404 for unknown events and for events of another project, alike', async () => {
    const unknown = await post({ eventId: randomUUID(), thumbs: 'up' })
    expect(unknown.status).toBe(404)
    const foreign = randomUUID()
    await insertExchanges(leash.clickhouse)([
      {
        eventId: foreign,
        projectId: randomUUID(),
        time: Date.now(),
        endpoint: 'chat.completions',
        route: 'chat',
        upstream: 'x',
        model: 'm',
        stream: false,
        status: 200,
        outcome: 'ok',
        latencyMs: 1,
        ttftMs: null,
        usage: null,
        usageFromUpstream: false,
        costUsd: 0,
        request: null,
        prompt: 'secret prompt',
        responseText: 'secret answer',
        tools: [],
        toolCalls: [],
        finishReason: 'stop',
        tags: { user: '', session: '', feature: '', policyVersion: '', extra: {} },
        sources: [],
        errorMessage: '',
      },
    ])
    const cross = await post({ eventId: foreign, thumbs: 'down' })
    expect(cross.status).toBe(404)
    const message = (b: Record<string, unknown>) => (b.error as { message: string }).message
    expect(cross.body).toEqual({
      error: { code: 'not_found', message: expect.any(String), requestId: expect.any(String) },
    })
    // Same wording as an unknown id, so a foreign id cannot be told apart.
    expect(message(cross.body).replace(foreign, 'ID')).toBe(
      message(unknown.body).replace(/[0-9a-f-]{36}/, 'ID'),
    )
    expect(JSON.stringify(cross.body)).not.toContain('secret')
  })

  it('needs a valid project key and a valid body', async () => {
    expect((await post({ eventId, thumbs: 'up' }, null)).status).toBe(401)
    expect((await post({ eventId, thumbs: 'up' }, 'lsk_wrong')).status).toBe(401)
    const bad = await post({ eventId, thumbs: 'sideways' })
    expect(bad.status).toBe(400)
    expect((bad.body.error as { message: string }).message).toMatch(/thumbs/)
    expect((await post({ eventId })).status).toBe(400)
    expect((await post({ eventId: 'not-a-uuid', thumbs: 'up' })).status).toBe(400)
  })
})
