import type { ExchangeDetail, ExchangesPage } from '@leash/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertExchanges, insertScores } from '../../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { exchange } from '../support/ingest-fixtures.ts'
import { api, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

type ErrorBody = { error: { code: string; message: string } }

const T = Date.UTC(2026, 10, 2, 12, 0, 0)
const MIN = 60_000
// UUIDv7 ids carry the exchange's time (the detail read and feedback lookup bound their scans by it).
const uuidV7 = (ms: number, i: number) => {
  const hex = ms.toString(16).padStart(12, '0')
  const tail = i.toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-${tail}`
}

interface Fixture {
  rec: ExchangeRecord
  falseRefusal: number | null
}

/** Twelve exchanges a minute apart whose every filterable field varies on its own pattern. */
function fixtures(projectId: string): Fixture[] {
  return Array.from({ length: 12 }, (_, i) => {
    const time = T + i * MIN
    const rec = exchange(
      {
        eventId: uuidV7(time, i),
        projectId,
        time,
        model: i % 3 === 0 ? 'gpt-a' : 'gpt-b',
        route: i < 6 ? 'chat' : 'search',
        status: i === 10 ? 400 : 200,
        outcome: i === 10 ? 'gateway_error' : i === 11 ? 'stream_error' : 'ok',
        latencyMs: 1000 - i * 13 + (i === 4 ? 2000 : 0),
        prompt: i === 5 ? 'Tell me about PINEAPPLE' : `question ${i}`,
        responseText: i === 7 ? 'the answer mentions Zebra' : `answer ${i}`,
        tags: {
          user: `u${i % 4}`,
          session: `s${i % 3}`,
          feature: i % 2 === 0 ? 'support-bot' : 'search',
          policyVersion: i < 8 ? 'p1' : 'p2',
          extra: { team: i % 2 === 0 ? 'blue' : 'red' },
        },
      },
      i,
    )
    return { rec, falseRefusal: i === 3 ? null : i / 11 }
  })
}

describe('GET /api/exchanges filters', () => {
  let leash: TestLeash
  let rows: Fixture[]

  beforeAll(async () => {
    leash = await startTestLeash({ mode: 'embedded' })
    rows = fixtures(leash.bootstrap.defaultProjectId)
    await insertExchanges(leash.clickhouse)(rows.map((r) => r.rec))
    const scores = rows.flatMap((r) =>
      r.falseRefusal === null
        ? []
        : [
            {
              eventId: r.rec.eventId,
              projectId: r.rec.projectId,
              time: r.rec.time,
              scorer: 'safety',
              scorerVersion: '1',
              name: 'false_refusal',
              value: r.falseRefusal,
              label: '',
            },
          ],
    )
    await insertScores(leash.clickhouse)(scores)
  }, 60_000)
  afterAll(async () => {
    await leash?.stop()
  })

  const list = (query: string) => api<ExchangesPage>(leash, `/api/exchanges?${query}`)
  const idsWhere = (pred: (f: Fixture, i: number) => boolean) =>
    rows
      .map((f, i) => ({ f, i }))
      .filter(({ f, i }) => pred(f, i))
      .map(({ f }) => f.rec.eventId)
      .reverse() // newest first

  async function expectMatch(query: string, pred: (f: Fixture, i: number) => boolean) {
    const { status, body } = await list(query)
    expect(status, JSON.stringify(body)).toBe(200)
    const want = idsWhere(pred)
    expect(want.length, `fixture must select something for ${query}`).toBeGreaterThan(0)
    expect(want.length, `fixture must leave something out for ${query}`).toBeLessThan(rows.length)
    expect(body.items.map((x) => x.id)).toEqual(want)
    expect(body.total).toBe(want.length)
  }

  it('without filters lists everything, newest first', async () => {
    const { body } = await list('limit=500')
    expect(body.total).toBe(12)
    expect(body.items.map((x) => x.id)).toEqual(idsWhere(() => true))
    expect(body.items[0]?.scores.false_refusal).toBeCloseTo(1)
  })

  it('from/to take ISO-8601 or epoch ms, from inclusive and to exclusive', async () => {
    const from = new Date(T + 2 * MIN).toISOString()
    const to = T + 5 * MIN
    await expectMatch(`from=${from}&to=${to}`, (_, i) => i >= 2 && i < 5)
    await expectMatch(`from=${T + 9 * MIN}`, (_, i) => i >= 9)
    await expectMatch(`to=${new Date(T + 3 * MIN).toISOString()}`, (_, i) => i < 3)
  })

  it('model, route, feature, user, session and policy_version match exactly; a repeated one means either', async () => {
    await expectMatch('model=gpt-a', (f) => f.rec.model === 'gpt-a')
    await expectMatch('route=search', (f) => f.rec.route === 'search')
    await expectMatch('feature=support-bot', (f) => f.rec.tags.feature === 'support-bot')
    await expectMatch('user=u1', (f) => f.rec.tags.user === 'u1')
    await expectMatch('session=s2', (f) => f.rec.tags.session === 's2')
    await expectMatch('policy_version=p2', (f) => f.rec.tags.policyVersion === 'p2')
    await expectMatch('user=u1&user=u2', (f) => ['u1', 'u2'].includes(f.rec.tags.user))
  })

  it('status takes an HTTP status or a record outcome', async () => {
    await expectMatch('status=400', (_, i) => i === 10)
    await expectMatch('status=gateway_error', (_, i) => i === 10)
    await expectMatch('status=stream_error', (_, i) => i === 11)
    await expectMatch('status=ok', (_, i) => i < 10)
  })

  it('q finds text in the prompt or the response, case-insensitively', async () => {
    await expectMatch('q=pineapple', (_, i) => i === 5)
    await expectMatch('q=zEBRA', (_, i) => i === 7)
  })

  it('score.<name> compares the latest score; exchanges without that score never match', async () => {
    await expectMatch('score.false_refusal=gt:0.5', (f) => (f.falseRefusal ?? -1) > 0.5)
    await expectMatch('score.false_refusal=lt:0.2', (f) => f.falseRefusal !== null && f.falseRefusal < 0.2)
    await expectMatch('score.false_refusal=eq:0', (f) => f.falseRefusal === 0)
    await expectMatch('score.false_refusal=gte:0.5&score.false_refusal=lte:0.7', (f) => {
      const v = f.falseRefusal ?? -1
      return v >= 0.5 && v <= 0.7
    })
  })

  it('tag.<key> matches a free-form tag', async () => {
    await expectMatch('tag.team=red', (f) => f.rec.tags.extra.team === 'red')
  })

  it('filters combine with AND, and total counts every match beyond the page', async () => {
    const q = `feature=support-bot&score.false_refusal=gte:0.3&from=${T}&to=${T + 11 * MIN}&tag.team=blue`
    const pred = (f: Fixture, i: number) =>
      f.rec.tags.feature === 'support-bot' && (f.falseRefusal ?? -1) >= 0.3 && i < 11
    await expectMatch(q, pred)
    const want = idsWhere(pred)
    const page = await list(`${q}&limit=2&offset=1`)
    expect(page.body.total).toBe(want.length)
    expect(page.body.items.map((x) => x.id)).toEqual(want.slice(1, 3))
  })

  it('sort: time, -time, latency, -latency, score.<name>, -score.<name> (unscored last)', async () => {
    const ids = (b: ExchangesPage) => b.items.map((x) => x.id)
    const all = rows.map((r) => r.rec)
    expect(ids((await list('sort=time')).body)).toEqual(all.map((r) => r.eventId))
    expect(ids((await list('sort=-time')).body)).toEqual(all.map((r) => r.eventId).reverse())
    const byLatency = [...all].sort((a, b) => a.latencyMs - b.latencyMs).map((r) => r.eventId)
    expect(ids((await list('sort=latency')).body)).toEqual(byLatency)
    expect(ids((await list('sort=-latency')).body)[0]).toBe(all[4]?.eventId)
    const scored = rows.filter((r) => r.falseRefusal !== null)
    const desc = [...scored].sort((a, b) => (b.falseRefusal ?? 0) - (a.falseRefusal ?? 0))
    const got = ids((await list('sort=-score.false_refusal')).body)
    expect(got).toEqual([...desc.map((r) => r.rec.eventId), all[3]?.eventId])
    const asc = ids((await list('sort=score.false_refusal&limit=3')).body)
    expect(asc).toEqual(
      desc
        .reverse()
        .slice(0, 3)
        .map((r) => r.rec.eventId),
    )
  })

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-13-45T99:00:00Z', 'to'],
    [`from=${T + MIN}&to=${T}`, 'from'],
    ['status=teapot', 'status'],
    ['score.false_refusal=bigger:1', 'score.false_refusal'],
    ['score.false_refusal=gt:abc', 'score.false_refusal'],
    ['score.false_refusal=0.5', 'score.false_refusal'],
    ['sort=colour', 'sort'],
    ['sort=-score.', 'sort'],
    ['colour=blue', 'colour'],
    ['tag.=x', 'tag.'],
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['offset=-1', 'offset'],
    ['from=1&from=2', 'from'],
  ])('a bad filter is a 400 naming it: %s', async (query, param) => {
    const { status, body } = await api<ErrorBody>(leash, `/api/exchanges?${query}`)
    expect(status).toBe(400)
    expect(body.error.code).toBe('bad_request')
    expect(body.error.message.startsWith(`${param}:`), body.error.message).toBe(true)
  })

  it('label.<name>=<value> keeps the exchanges carrying that label (AND with other labels), and names a bad one', async () => {
    const id = (i: number) => rows[i]?.rec.eventId ?? ''
    const [a, b, c] = [id(1), id(2), id(5)]
    const label = async (eventId: string, values: Record<string, unknown>) => {
      const { status } = await api(leash, '/api/labels', {
        method: 'POST',
        body: JSON.stringify({ eventId, values }),
      })
      expect(status).toBe(201)
    }
    await label(a, { refusal: 'full', prompt_harmful: false })
    await label(b, { refusal: 'full', prompt_harmful: true })
    await label(c, { refusal: 'none' })
    const full = await api<ExchangesPage>(leash, '/api/exchanges?label.refusal=full')
    expect(full.status).toBe(200)
    expect(full.body.total).toBe(2)
    expect(new Set(full.body.items.map((x) => x.id))).toEqual(new Set([a, b]))
    const both = await api<ExchangesPage>(
      leash,
      '/api/exchanges?label.refusal=full&label.prompt_harmful=false',
    )
    expect(both.body.items.map((x) => x.id)).toEqual([a])
    const none = await api<ExchangesPage>(leash, '/api/exchanges?label.helpfulness=5')
    expect(none.body.total).toBe(0)
    const bad = await api<ErrorBody>(leash, '/api/exchanges?label.refusal=maybe')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message.startsWith('label.refusal:')).toBe(true)
    const unknown = await api<ErrorBody>(leash, '/api/exchanges?label.mood=happy')
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.message).toContain('unknown label')
    const empty = await api<ErrorBody>(leash, '/api/exchanges?label.refusal=')
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toContain('give the label value')
  })

  it('feedback posted about an exchange shows on it', async () => {
    const target = rows[2]?.rec.eventId ?? ''
    const posted = await fetch(`${leash.url}/api/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PROJECT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        eventId: target,
        thumbs: 'down',
        refusalWrong: true,
        comment: 'should have answered',
      }),
    })
    expect(posted.status).toBe(201)
    const { status, body } = await api<ExchangeDetail>(leash, `/api/exchanges/${target}`)
    expect(status).toBe(200)
    expect(body.feedback).toHaveLength(1)
    expect(body.feedback[0]).toMatchObject({
      thumbs: 'down',
      refusalWrong: true,
      taskCompleted: null,
      comment: 'should have answered',
    })
    const other = await api<ExchangeDetail>(leash, `/api/exchanges/${rows[1]?.rec.eventId}`)
    expect(other.body.feedback).toEqual([])
  })
})
