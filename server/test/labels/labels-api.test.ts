import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labelledEventIds } from '../../src/labels/index.ts'
import {
  ADMIN_TOKEN,
  api,
  PROJECT_KEY,
  startTestLeash,
  TEST_DATABASE_URL,
  type TestLeash,
} from '../support/leash.ts'

type Item = {
  id: string
  eventId: string
  values: Record<string, unknown>
  source: string
  sample: string
  labeller: string
}

describe.each(TEST_DATABASE_URL ? (['embedded', 'postgres'] as const) : (['embedded'] as const))(
  '/api/labels (%s)',
  (mode) => {
    let leash: TestLeash
    let eventId: string
    let projectId: string

    async function post(body: unknown, token: string | null = ADMIN_TOKEN) {
      const res = await fetch(`${leash.url}/api/labels`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }

    beforeAll(async () => {
      leash = await startTestLeash({ mode })
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
      await res.json()
      await leash.pipeline.flush()
      projectId =
        (await api<{ items: Array<{ id: string }> }>(leash, '/api/projects')).body.items[0]?.id ?? ''
    }, 120_000)

    afterAll(async () => {
      await leash?.stop()
    })

    it('stores a label, lists it by event and by time, and replaces a person’s second label of the same value', async () => {
      const first = await post({
        eventId,
        values: { refusal: 'full', prompt_harmful: false },
        note: 'looks refused',
      })
      expect(first.status).toBe(201)
      expect(first.body).toEqual({
        id: expect.any(String),
        eventId,
        values: { refusal: 'full', prompt_harmful: false },
      })
      const second = await post({ eventId, values: { refusal: 'none' } })
      expect(second.status).toBe(201)
      const byEvent = await api<{ items: Item[] }>(leash, `/api/labels?eventId=${eventId}`)
      expect(byEvent.status).toBe(200)
      const values = Object.assign({}, ...byEvent.body.items.map((i) => i.values))
      expect(values).toEqual({ refusal: 'none', prompt_harmful: false })
      expect(byEvent.body.items.every((i) => i.source === 'human' && i.labeller.length > 0)).toBe(true)
      const byTime = await api<{ items: Item[] }>(
        leash,
        `/api/labels?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`,
      )
      expect(byTime.body.items.map((i) => i.eventId)).toContain(eventId)
      const empty = await api<{ items: Item[] }>(leash, `/api/labels?from=0&to=1000`)
      expect(empty.body.items).toEqual([])
      // The exchanges filter `label.refusal=none` can use this.
      expect(
        await labelledEventIds({ db: leash.postgres.db }, { projectId, name: 'refusal', value: 'none' }),
      ).toEqual([eventId])
      expect(
        await labelledEventIds({ db: leash.postgres.db }, { projectId, name: 'refusal', value: 'full' }),
      ).toEqual([])
    })

    it('takes a project key for its own project, and answers 404 for unknown or foreign events', async () => {
      const viaKey = await post({ eventId, values: { helpfulness: 4 } }, PROJECT_KEY)
      expect(viaKey.status).toBe(201)
      const listed = await api<{ items: Item[] }>(leash, `/api/labels?eventId=${eventId}`)
      expect(listed.body.items.find((i) => i.values.helpfulness === 4)?.labeller).toBe('project-key')
      expect((await post({ eventId: randomUUID(), values: { refusal: 'full' } })).status).toBe(404)
      expect((await post({ eventId: randomUUID(), values: { refusal: 'full' } }, PROJECT_KEY)).status).toBe(
        404,
      )
      // A project the key does not own cannot be named.
      expect((await post({ eventId, project: randomUUID(), values: { refusal: 'full' } })).status).toBe(404)
    })

    it('needs a login or a key, and a valid body', async () => {
      expect((await post({ eventId, values: { refusal: 'full' } }, null)).status).toBe(401)
      expect((await post({ eventId, values: { refusal: 'full' } }, 'lsk_wrong')).status).toBe(401)
      expect((await post({ eventId, values: { refusal: 'maybe' } })).status).toBe(400)
      expect((await post({ eventId, values: {} })).status).toBe(400)
      expect((await post({ eventId, values: { helpfulness: 6 } })).status).toBe(400)
      expect((await post({ eventId: 'x', values: { refusal: 'full' } })).status).toBe(400)
      const noAuth = await fetch(`${leash.url}/api/labels?eventId=${eventId}`)
      expect(noAuth.status).toBe(401)
    })

    it('keeps feedback refusalWrong reports apart as weak labels, and undoes a person’s labels', async () => {
      const fb = await fetch(`${leash.url}/api/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PROJECT_KEY}` },
        body: JSON.stringify({ eventId, refusalWrong: true }),
      })
      expect(fb.status).toBe(201)
      const weak = await api<{ items: Item[] }>(leash, `/api/labels?eventId=${eventId}&source=feedback`)
      expect(weak.body.items).toMatchObject([
        { source: 'feedback', sample: 'targeted', values: { refusal_wrong: true } },
      ])
      const undo = await api<{ removed: number }>(leash, `/api/labels/${eventId}`, { method: 'DELETE' })
      expect(undo.status).toBe(200)
      expect(undo.body.removed).toBe(2) // refusal and prompt_harmful of the admin; the key's and the weak one stay
      const left = await api<{ items: Item[] }>(leash, `/api/labels?eventId=${eventId}`)
      expect(left.body.items.map((i) => i.labeller).sort()).toEqual(['feedback', 'project-key'])
    })
  },
)
