import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const TOKEN = 'metrics-token-0123456789'

/** Parses Prometheus text into `name{labels}` -> value (labels as printed). */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    out.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return out
}

/** Sum of every sample of `name` whose labels contain all of `having` (`key="value"` pairs). */
function sum(m: Map<string, number>, name: string, having: string[] = []): number {
  let total = 0
  for (const [key, value] of m) {
    const bare = key.split('{')[0]
    if (bare === name && having.every((h) => key.includes(h))) total += value
  }
  return total
}

async function scrape(url: string, token?: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {})
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return parse(await res.text())
}

/** Issue 15: Leash's own Prometheus metrics move with real traffic through the gateway. */
describe('/metrics', () => {
  let upstream: TestUpstream
  let leash: TestLeash
  let client: OpenAI
  beforeAll(async () => {
    upstream = await startTestUpstream()
    leash = await startTestLeash({
      mode: 'embedded',
      upstreamUrl: upstream.baseUrl,
      env: { LEASH_METRICS_TOKEN: TOKEN, LEASH_SCORING_WORKERS: '1', LEASH_INGEST_BATCH_MS: '50' },
    })
    client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
  })
  afterAll(async () => {
    await leash?.stop()
    await upstream?.close()
  })

  it('asks for the bearer token when LEASH_METRICS_TOKEN is set', async () => {
    expect((await fetch(`${leash.url}/metrics`)).status).toBe(401)
    const wrong = await fetch(`${leash.url}/metrics`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
  })

  it('counts calls, errors, latency and TTFB by endpoint, upstream and status; spool, ingest and scorers', async () => {
    const before = await scrape(leash.url, TOKEN)
    const chat = 'chat.completions'
    const ok200 = ['status="200"', 'upstream="default"']
    const calls0 = sum(before, 'leash_gateway_requests_total', ok200)

    for (let i = 0; i < 3; i++) {
      const r = await client.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: `hello ${i}` }],
      })
      expect(r.choices[0]?.message.content).toBeTruthy()
    }
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    })
    for await (const _ of stream) {
      // drain
    }
    const err = client.chat.completions.create(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'fail' }] },
      { headers: { 'x-upstream-mode': JSON.stringify({ kind: 'error', status: 503 }) } },
    )
    await expect(err).rejects.toMatchObject({ status: 503 })

    // Recorded, stored and scored: the ingest counters move once the spool is drained.
    await eventually(async () => {
      const m = await scrape(leash.url, TOKEN)
      const written =
        sum(m, 'leash_ingest_rows_written_total') - sum(before, 'leash_ingest_rows_written_total')
      return written >= 5 && sum(m, 'leash_spool_records') === 0 ? true : undefined
    }, 30_000)
    const after = await scrape(leash.url, TOKEN)

    expect(sum(after, 'leash_gateway_requests_total', ok200) - calls0).toBe(4)
    expect(
      sum(after, 'leash_gateway_requests_total', ['status="503"']) -
        sum(before, 'leash_gateway_requests_total', ['status="503"']),
    ).toBe(1)
    expect(
      sum(after, 'leash_gateway_errors_total', ['outcome="upstream_error"']) -
        sum(before, 'leash_gateway_errors_total', ['outcome="upstream_error"']),
    ).toBe(1)
    const dur = (m: Map<string, number>) =>
      sum(m, 'leash_gateway_request_duration_seconds_count', [`endpoint="${chat}"`, ...ok200])
    expect(dur(after) - dur(before)).toBe(4)
    expect(sum(after, 'leash_gateway_request_duration_seconds_bucket', ['le="+Inf"', ...ok200])).toBe(
      dur(after),
    )
    expect(sum(after, 'leash_gateway_request_duration_seconds_sum', ok200)).toBeGreaterThan(0)
    const ttfb = (m: Map<string, number>) => sum(m, 'leash_gateway_time_to_first_byte_seconds_count', ok200)
    expect(ttfb(after) - ttfb(before)).toBe(4)

    expect(sum(after, 'leash_spool_oldest_age_seconds')).toBe(0)
    expect(sum(after, 'leash_ingest_insert_failures_total')).toBe(0)
    expect(sum(after, 'leash_ingest_score_rows_written_total')).toBeGreaterThan(
      sum(before, 'leash_ingest_score_rows_written_total'),
    )
    expect(sum(after, 'leash_scorer_exchanges_total')).toBeGreaterThan(
      sum(before, 'leash_scorer_exchanges_total'),
    )
    expect(sum(after, 'leash_scorer_queue_batches')).toBe(0)
    expect(sum(after, 'leash_gateway_inflight_requests')).toBe(0)
    // Process metrics from prom-client's defaults: memory and event-loop lag.
    expect(sum(after, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(after.has('nodejs_eventloop_lag_p99_seconds')).toBe(true)
  })
})

describe('/metrics on LEASH_METRICS_PORT', () => {
  it('answers without a token on its own port, and not on the main port', async () => {
    const upstream = await startTestUpstream()
    const leash = await startTestLeash({
      mode: 'embedded',
      upstreamUrl: upstream.baseUrl,
      env: { LEASH_METRICS_PORT: '0', LEASH_SCORING_WORKERS: '0' },
    })
    try {
      const line = leash.logs.find((l) => l.includes('metrics: http://'))
      const url = /metrics: (http:\/\/\S+)\/metrics/.exec(line ?? '')?.[1]
      expect(url).toBeTruthy()
      const m = await scrape(url as string)
      expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true)
      expect((await fetch(`${leash.url}/metrics`)).status).toBe(404)
    } finally {
      await leash.stop()
      await upstream.close()
    }
  })
})
