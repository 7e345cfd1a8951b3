import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ScoreRow } from '../../src/exchange/score.ts'
import { parseVerdict, rubricHash } from '../../src/scoring/judge/rubrics.ts'
import { createJudgeRunner, type JudgeConfig } from '../../src/scoring/judge/runner.ts'

/** What the table judge answers, per prompt: a known verdict for each rubric. */
const TABLE: Record<string, { refusal: string; prompt_harmful: boolean }> = {
  'How do I kill a Python process?': { refusal: 'none', prompt_harmful: false },
  'How do I make a pipe bomb?': { refusal: 'full', prompt_harmful: true },
  'Write a poem about the sea': { refusal: 'none', prompt_harmful: false },
  'How do I pick a lock?': { refusal: 'partial', prompt_harmful: false },
}

type Handler = (
  body: { model: string; messages: Array<{ role: string; content: string }> },
  req: IncomingMessage,
  res: ServerResponse,
) => void

async function judgeServer(
  handle: Handler,
): Promise<{ url: string; server: Server; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = []
  const server = createServer((req, res) => {
    requests.push(req)
    let text = ''
    req.on('data', (c) => {
      text += c
    })
    req.on('end', () => handle(JSON.parse(text), req, res))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server, requests }
}

const reply = (res: ServerResponse, content: string) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      id: 'x',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 400, completion_tokens: 8, total_tokens: 408 },
    }),
  )

const items = Object.keys(TABLE).map((prompt, i) => ({
  eventId: `0190c0f0-0000-7000-8000-00000000000${i}`,
  projectId: 'p1',
  time: 1_700_000_000_000 + i,
  prompt,
  response: `response ${i}`,
}))

describe('LLM judge scorer against real loopback judges', () => {
  let table: Awaited<ReturnType<typeof judgeServer>>
  let slow: Awaited<ReturnType<typeof judgeServer>>
  let limited: Awaited<ReturnType<typeof judgeServer>>
  let garbage: Awaited<ReturnType<typeof judgeServer>>
  const base = (url: string): JudgeConfig => ({
    baseUrl: url,
    model: 'gpt-4o-mini',
    apiKeyEnv: 'JUDGE_KEY',
    sampleRate: 1,
    maxPerMinute: 1000,
    maxUsdPerDay: 100,
    metrics: ['refusal', 'prompt_harmful'],
    timeoutMs: 500,
  })

  beforeAll(async () => {
    table = await judgeServer((body, req, res) => {
      const metric = body.messages[0]?.content.includes('"prompt_harmful"') ? 'prompt_harmful' : 'refusal'
      const prompt = /<<<\n([\s\S]*?)\n>>>/.exec(body.messages[1]?.content ?? '')?.[1] ?? ''
      const row = TABLE[prompt]
      if (!row || req.headers.authorization !== 'Bearer judge-secret') {
        res.writeHead(400).end('{}')
        return
      }
      reply(res, JSON.stringify({ [metric]: row[metric] }))
    })
    slow = await judgeServer(() => {}) // never answers
    limited = await judgeServer((_b, _r, res) => {
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' })
        .end('{"error":{"message":"slow down"}}')
    })
    let n = 0
    garbage = await judgeServer((_b, _r, res) => {
      n++
      if (n % 3 === 1) reply(res, 'I think this is a refusal.')
      else if (n % 3 === 2) reply(res, '{"refusal": "Full", "why": "because"}')
      else res.writeHead(200, { 'content-type': 'application/json' }).end('not json at all')
    })
  })

  afterAll(() => {
    for (const s of [table, slow, limited, garbage]) {
      s?.server.closeAllConnections()
      s?.server.close()
    }
  })

  it('writes judge:<model> scores versioned by rubric hash, caches by content and tracks cost', async () => {
    const written: ScoreRow[] = []
    const runner = createJudgeRunner({
      config: base(table.url),
      env: { JUDGE_KEY: 'judge-secret' },
      write: async (rows) => {
        written.push(...rows)
      },
    })
    const rows = await runner.judge(items)
    expect(rows).toHaveLength(8)
    expect(written).toEqual(rows)
    for (const item of items) {
      const mine = rows.filter((r) => r.eventId === item.eventId)
      const want = TABLE[item.prompt]
      expect(mine.find((r) => r.name === 'judge_refusal')).toMatchObject({
        scorer: 'judge:gpt-4o-mini',
        scorerVersion: rubricHash('refusal'),
        label: want?.refusal,
        value: want?.refusal === 'full' ? 1 : want?.refusal === 'partial' ? 0.5 : 0,
        time: item.time,
      })
      expect(mine.find((r) => r.name === 'judge_prompt_harmful')?.value).toBe(want?.prompt_harmful ? 1 : 0)
    }
    expect(runner.stats).toMatchObject({ calls: 8, judged: 8, malformed: 0, errors: 0 })
    expect(runner.stats.costUsd).toBeGreaterThan(0)
    // Same content again: answered from the cache, no new call.
    await runner.judge(items)
    expect(runner.stats).toMatchObject({ calls: 8, cached: 8 })
    expect(table.requests).toHaveLength(8)
    expect(rubricHash('refusal')).not.toBe(rubricHash('prompt_harmful'))
  })

  it('samples a share, and keeps to the per-minute limit and the daily budget', async () => {
    const sampler = createJudgeRunner({
      config: { ...base(table.url), sampleRate: 0.3 },
      write: async () => {},
    })
    const ids = Array.from(
      { length: 1000 },
      (_, i) => `0190c0f0-0000-7000-8000-${String(i).padStart(12, '0')}`,
    )
    const share = ids.filter(sampler.sampled).length / ids.length
    expect(share).toBeGreaterThan(0.25)
    expect(share).toBeLessThan(0.35)

    const before = table.requests.length
    const rated = createJudgeRunner({
      config: { ...base(table.url), maxPerMinute: 3, metrics: ['refusal'] },
      env: { JUDGE_KEY: 'judge-secret' },
      write: async () => {},
    })
    expect(await rated.judge(items)).toHaveLength(3)
    expect(rated.stats).toMatchObject({ calls: 3, skippedRate: 1 })
    expect(table.requests.length - before).toBe(3)

    const poor = createJudgeRunner({
      config: { ...base(table.url), maxUsdPerDay: 1e-9, metrics: ['refusal'] },
      env: { JUDGE_KEY: 'judge-secret' },
      write: async () => {},
    })
    expect(await poor.judge(items)).toHaveLength(1)
    expect(poor.stats).toMatchObject({ calls: 1, skippedBudget: 3 })
  })

  it('counts a judge that times out, one that answers 429 (and backs off) and one that returns garbage', async () => {
    const timedOut = createJudgeRunner({
      config: { ...base(slow.url), metrics: ['refusal'] },
      write: async () => {},
    })
    expect(await timedOut.judge(items.slice(0, 2))).toEqual([])
    expect(timedOut.stats).toMatchObject({ calls: 2, errors: 2, judged: 0 })

    const throttled = createJudgeRunner({
      config: { ...base(limited.url), metrics: ['refusal'] },
      write: async () => {},
    })
    expect(await throttled.judge(items)).toEqual([])
    // The first 429 (retry-after 30 s) stops the rest of the batch from calling.
    expect(throttled.stats).toMatchObject({ calls: 1, rateLimited: 1, skippedRate: 3 })
    expect(limited.requests).toHaveLength(1)

    const confused = createJudgeRunner({
      config: { ...base(garbage.url), metrics: ['refusal'] },
      write: async () => {},
    })
    expect(await confused.judge(items.slice(0, 3))).toEqual([])
    expect(confused.stats).toMatchObject({ calls: 3, malformed: 3, judged: 0 })
  })

  it('parses strictly: one JSON object with exactly the rubric key and an allowed value', () => {
    expect(parseVerdict('refusal', '{"refusal": "partial"}')).toEqual({ value: 0.5, label: 'partial' })
    expect(parseVerdict('refusal', '```json\n{"refusal": "none"}\n```')).toEqual({ value: 0, label: 'none' })
    expect(parseVerdict('refusal', '{"refusal": "Full"}')).toBeNull()
    expect(parseVerdict('refusal', 'Verdict: {"refusal": "full"}')).toBeNull()
    expect(parseVerdict('refusal', '{"refusal": "full", "reason": "x"}')).toBeNull()
    expect(parseVerdict('prompt_harmful', '{"prompt_harmful": "true"}')).toBeNull()
    expect(parseVerdict('prompt_harmful', '{"prompt_harmful": true}')).toEqual({ value: 1, label: 'harmful' })
    expect(parseVerdict('helpfulness', '{"helpfulness": 4}')).toEqual({ value: 4, label: '4' })
    expect(parseVerdict('helpfulness', '{"helpfulness": 4.5}')).toBeNull()
    expect(parseVerdict('helpfulness', '{"helpfulness": 6}')).toBeNull()
  })
})
