import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ClickHouseClient } from '../../src/db/clickhouse/index.ts'
import type { ExchangeRecord } from '../../src/exchange/record.ts'

const WORDS = 'the model answered every question about the policy with a careful and sourced reply'.split(' ')

/** Realistic text of about `bytes` characters (deterministic per seed). */
export function text(bytes: number, seed = 0): string {
  const out: string[] = []
  let n = 0
  for (let i = seed; n < bytes; i++) {
    const w = WORDS[(i * 7 + seed) % WORDS.length] as string
    out.push(w)
    n += w.length + 1
  }
  return out.join(' ').slice(0, bytes)
}

/** One exchange as the gateway records it (about 1.5 KB of text by default). */
export function exchange(overrides: Partial<ExchangeRecord> = {}, seq = 0): ExchangeRecord {
  return {
    eventId: randomUUID(),
    projectId: 'proj-ingest',
    time: Date.now(),
    endpoint: 'chat.completions',
    route: 'default',
    upstream: 'test',
    model: 'm',
    stream: false,
    status: 200,
    outcome: 'ok',
    latencyMs: 12 + (seq % 50),
    ttftMs: 5,
    usage: { promptTokens: 30, completionTokens: 140, cachedTokens: 0 },
    usageFromUpstream: true,
    costUsd: 0.0001,
    request: [{ role: 'user', content: text(400, seq) }],
    prompt: text(400, seq),
    responseText: text(700, seq + 1),
    tools: [],
    toolCalls: [],
    finishReason: 'stop',
    tags: { user: `u${seq % 10}`, session: `s${seq % 100}`, feature: 'chat', policyVersion: 'p1', extra: {} },
    sources: [],
    errorMessage: '',
    ...overrides,
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** count(), uniqExact(event_id) and count() FINAL of a project's rows in a table. */
export async function counts(
  ch: ClickHouseClient,
  table: 'raw_responses_v1' | 'scores_v1',
  projectId: string,
): Promise<{ rows: number; unique: number; final: number }> {
  const rs = await ch.query({
    query: `SELECT
      (SELECT count() FROM ${table} WHERE project_id = {p:String}) AS rows,
      (SELECT uniqExact(event_id) FROM ${table} WHERE project_id = {p:String}) AS unique,
      (SELECT count() FROM ${table} FINAL WHERE project_id = {p:String}) AS final`,
    query_params: { p: projectId },
    format: 'JSONEachRow',
  })
  const [row] = (await rs.json()) as Array<Record<string, string | number>>
  return { rows: Number(row?.rows), unique: Number(row?.unique), final: Number(row?.final) }
}
