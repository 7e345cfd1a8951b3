import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHILD_PROJECT_KEY, startLeashProcess, storedRows } from '../support/leash-process.ts'
import { startTestUpstream, type TestUpstream } from '../support/upstream.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const body = (content: string) => ({ model: 'gpt-test', messages: [{ role: 'user' as const, content }] })

/** Issue 11, item 4: SIGTERM lets calls in flight finish (streams included), records them, exits 0. */
describe('graceful shutdown', () => {
  let upstream: TestUpstream
  const dirs: string[] = []
  const fresh = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-term-'))
    dirs.push(d)
    return d
  }
  beforeAll(async () => {
    upstream = await startTestUpstream()
  })
  afterAll(async () => {
    upstream.release()
    await upstream.close()
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
  })

  it('finishes three open streams and a call waiting for headers, records all four, exits 0', async () => {
    const dataDir = fresh()
    const env = {
      LEASH_UPSTREAM_URL: upstream.baseUrl,
      LEASH_UPSTREAM_API_KEY: 'sk-up',
      LEASH_SHUTDOWN_GRACE_MS: '20000',
    }
    const leash = await startLeashProcess({ env, dataDir })
    const client = new OpenAI({ apiKey: CHILD_PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const before = upstream.received.length
    const hold = { headers: { 'x-upstream-mode': JSON.stringify({ kind: 'hold', chunks: 3 }) } }
    const streams = [0, 1, 2].map(async (i) => {
      const { data, response } = await client.chat.completions
        .create({ ...body(`stream ${i}`), stream: true }, hold)
        .withResponse()
      let text = ''
      for await (const c of data) text += c.choices[0]?.delta.content ?? ''
      return { id: response.headers.get('x-leash-event-id'), text }
    })
    const slow = { headers: { 'x-upstream-mode': JSON.stringify({ kind: 'slow', delayMs: 2_500 }) } }
    const waiting = client.chat.completions
      .create(body('slow'), slow)
      .withResponse()
      .then(({ data, response }) => ({
        id: response.headers.get('x-leash-event-id'),
        text: data.choices[0]?.message.content ?? '',
      }))
    while (upstream.received.length < before + 4) await sleep(20)
    await sleep(300)
    leash.child.kill('SIGTERM')
    await sleep(1_000)
    // No longer accepting: a new connection is refused while the four finish.
    await expect(fetch(`${leash.url}/healthz`)).rejects.toThrow()
    expect(leash.gone()).toBe(false)
    upstream.release()
    const answers = await Promise.all([...streams, waiting])
    for (const a of answers) expect(a.text).toMatch(/Hello! You said/)
    expect(await leash.exited).toEqual({ code: 0, signal: null })
    expect(leash.log()).toContain('shut down cleanly')

    const rows = await storedRows(dataDir, env)
    for (const a of answers) expect(rows.get(a.id as string)).toBe(1)
  }, 180_000)

  it('exits at once on a second signal', async () => {
    const dataDir = fresh()
    const env = {
      LEASH_UPSTREAM_URL: upstream.baseUrl,
      LEASH_UPSTREAM_API_KEY: 'sk-up',
      LEASH_SHUTDOWN_GRACE_MS: '60000',
    }
    const leash = await startLeashProcess({ env, dataDir })
    const client = new OpenAI({ apiKey: CHILD_PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const before = upstream.received.length
    const hold = { headers: { 'x-upstream-mode': JSON.stringify({ kind: 'hold', chunks: 3 }) } }
    const held = client.chat.completions
      .create({ ...body('held'), stream: true }, hold)
      .then(async (s) => {
        for await (const _ of s) {
        }
      })
      .catch(() => 'cut')
    while (upstream.received.length < before + 1) await sleep(20)
    leash.child.kill('SIGTERM')
    // A repeat within a second is taken for the same signal relayed (npm, tsx): it must not end it.
    await sleep(200)
    leash.child.kill('SIGTERM')
    await sleep(1_500)
    expect(leash.gone()).toBe(false)
    const t0 = Date.now()
    leash.child.kill('SIGTERM')
    const exit = await leash.exited
    expect(Date.now() - t0).toBeLessThan(5_000)
    expect(exit.code).toBe(1)
    expect(await held).toBe('cut')
    upstream.release()
  }, 120_000)
})
