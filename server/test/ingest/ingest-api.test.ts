import fs from 'node:fs'
import path from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IngestStatus } from '../../src/ingest/pipeline.ts'
import { ADMIN_TOKEN, api, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

/** The whole product: gateway -> spool -> ClickHouse, project retention stamped, status over the API. */
describe('ingest status API and the spool behind the gateway', () => {
  let upstream: TestUpstream
  let leash: TestLeash
  let client: OpenAI
  let projectId: string

  beforeAll(async () => {
    upstream = await startTestUpstream()
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: upstream.baseUrl })
    client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const { body } = await api<{ items: { id: string }[] }>(leash, '/api/projects')
    projectId = body.items[0]?.id ?? ''
  })
  afterAll(async () => {
    await leash?.stop()
    await upstream?.close()
  })

  it('stamps the project retention on every row and reports the ingest status', async () => {
    const put = await api(leash, `/api/projects/${projectId}/settings`, {
      method: 'PUT',
      body: JSON.stringify({ retentionDays: 14 }),
    })
    expect(put.status).toBe(200)
    for (let i = 0; i < 5; i++)
      await client.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: `hi ${i}` }],
      })
    await leash.pipeline.flush()
    const rs = await leash.clickhouse.query({
      query: `SELECT retention_days, count() AS n FROM raw_responses_v1 FINAL WHERE project_id = {p:String}
        GROUP BY retention_days`,
      query_params: { p: projectId },
      format: 'JSONEachRow',
    })
    const rows = (await rs.json()) as Array<{ retention_days: number; n: number | string }>
    expect(rows.map((r) => [r.retention_days, Number(r.n)])).toEqual([[14, 5]])

    const { status, body } = await api<IngestStatus>(leash, '/api/ingest/status')
    expect(status).toBe(200)
    expect(body.spool).toMatchObject({
      records: 0,
      bytes: 0,
      maxBytes: 2 * 1024 ** 3,
      nearFull: false,
      full: false,
      policy: 'drop_new',
      droppedNew: 0,
      droppedOld: 0,
    })
    expect(body.insert).toMatchObject({ written: 5, errors: 0, lastError: null })
    expect(body.insert.scored).toBeGreaterThanOrEqual(5)
    expect(body.insert.rowsPerSecond).toBeGreaterThan(0)
    expect(Date.parse(body.insert.lastSuccessAt ?? '')).toBeGreaterThan(Date.now() - 60_000)
    expect(body.torn).toBe(0)

    const metrics = await fetch(`${leash.url}/api/ingest/metrics`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await metrics.text()
    expect(text).toContain('leash_spool_records 0\n')
    expect(text).toContain('leash_ingest_written_total 5\n')

    // The running product writes its ingest health rows: records_dropped is a counted 0, not "no data".
    await leash.pipeline.reportHealth()
    const to = Date.now() + 1_000
    const series = await api<{ series: Array<{ points: Array<{ n: number; value: number | null }> }> }>(
      leash,
      `/api/metrics/series?metric=records_dropped&from=${to - 600_000}&to=${to}&step=60`,
    )
    expect(series.status).toBe(200)
    const points = series.body.series[0]?.points ?? []
    expect(points.reduce((n, p) => n + p.n, 0)).toBeGreaterThanOrEqual(1)
    expect(points.every((p) => p.value === 0)).toBe(true)
    const grouped = await api(
      leash,
      `/api/metrics/series?metric=records_dropped&from=${to - 600_000}&to=${to}&step=60&groupBy=model`,
    )
    expect(grouped.status).toBe(400)
  })

  it('needs a login', async () => {
    expect((await fetch(`${leash.url}/api/ingest/status`)).status).toBe(401)
    expect((await fetch(`${leash.url}/api/ingest/metrics`)).status).toBe(401)
  })

  it('keeps the spool in the data folder and leaves nothing uncommitted after close', async () => {
    const dir = path.join(leash.dataDir, 'spool')
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThanOrEqual(1)
    await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'last one' }],
    })
    await leash.pipeline.close() // what SIGTERM does through leash.close(): fsync, deliver, commit
    expect(leash.pipeline.stats()).toMatchObject({ queued: 0, written: 6 })
    const committed = JSON.parse(fs.readFileSync(path.join(dir, 'committed'), 'utf8'))
    expect(committed).toEqual({ segment: expect.any(Number), offset: expect.any(Number) })
  })
})
