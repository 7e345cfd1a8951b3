import type { ClickHouseClient } from '@clickhouse/client'
import type { ReviewItem } from '@leash/shared'
import { z } from 'zod'
import { defineQuery } from '../db/clickhouse/query.ts'
import type { Db } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'
import { correctable, metricScorers } from '../metrics/corrected.ts'
import { labelRows } from './service.ts'

/**
 * The review queue: for one correctable metric, per model (the stratum), a uniform random share of the
 * unlabelled exchanges (labelled with `sample: "uniform"`, they feed the corrected rates without bias) and
 * the exchanges the scorer is least sure of (`sample: "targeted"`: for learning and instrument health,
 * never for the rates). Exchanges a human already labelled are left out.
 */
const Built = z.custom<{ sql: string; params: Record<string, unknown> }>()
const num = z.union([z.number(), z.string()]).transform(Number)
const QueueRow = z.object({
  id: z.string(),
  model: z.string(),
  time_ms: num,
  prompt: z.string(),
  response_text: z.string(),
  sources: z.string(),
  r_uniform: num,
  r_uncertain: num,
  verdict: z.string(),
})

const queueQuery = defineQuery({ name: 'review_queue', params: Built, row: QueueRow, sql: (b) => b })

function queueSql(
  scores: string[],
  where: string,
  p: {
    projectId: string
    from: number
    to: number
    uniform: number
    uncertain: number
    seed: number
    exclude: string[]
  },
) {
  const params: Record<string, unknown> = {
    projectId: p.projectId,
    fromMs: p.from,
    toMs: p.to,
    snames: scores,
    ku: p.uniform,
    kc: p.uncertain,
    seed: p.seed,
    ex: p.exclude,
  }
  const range = `time >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND time < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`
  const pivots = scores
    .map((s, i) => {
      params[`s${i}`] = s
      return `argMaxIf(value, scored_at, name = {s${i}:String}) AS v${i}, argMaxIf(label, scored_at, name = {s${i}:String}) AS l${i}, countIf(name = {s${i}:String}) > 0 AS h${i}`
    })
    .join(', ')
  const margin =
    scores.length > 1 ? `least(${scores.map((_, i) => `abs(v${i} - 0.5)`).join(', ')})` : 'abs(v0 - 0.5)'
  const verdict = `toJSONString(map(${scores.map((_, i) => `{s${i}:String}, toJSONString(map('value', toString(v${i}), 'label', l${i}))`).join(', ')}))`
  const sql = `WITH e AS (SELECT event_id, time, model, prompt, response_text, sources FROM raw_responses_v1 FINAL
    WHERE project_id = {projectId:String} AND ${range} AND event_id NOT IN {ex:Array(UUID)}),
  sc AS (SELECT event_id AS sc_event_id, ${pivots} FROM scores_v1 FINAL
    WHERE project_id = {projectId:String} AND ${range} AND name IN {snames:Array(String)} GROUP BY event_id)
SELECT * FROM (
  SELECT toString(e.event_id) AS id, e.model AS model, toUnixTimestamp64Milli(e.time) AS time_ms, e.prompt AS prompt,
    e.response_text AS response_text, e.sources AS sources, ${verdict} AS verdict,
    row_number() OVER (PARTITION BY e.model ORDER BY cityHash64(toString(e.event_id), {seed:UInt64})) AS r_uniform,
    row_number() OVER (PARTITION BY e.model ORDER BY ${margin}, cityHash64(toString(e.event_id))) AS r_uncertain
  FROM e INNER JOIN sc ON sc.sc_event_id = e.event_id WHERE ${where}
) WHERE r_uniform <= {ku:UInt32} OR r_uncertain <= {kc:UInt32}
ORDER BY model, r_uniform`
  return { sql, params }
}

export async function reviewQueue({
  ctx,
  input,
}: {
  ctx: { db: Db; ch: ClickHouseClient }
  input: {
    projectId: string
    metric: string
    n: number
    from: number
    to: number
    uniformShare?: number
    seed?: number
  }
}): Promise<{ metric: string; asks: string[]; items: ReviewItem[] }> {
  const scorers = metricScorers(input.metric)
  if (!scorers || !correctable(input.metric))
    throw new LeashError(
      'bad_request',
      `metric: '${input.metric}' is not a rate of a binary scorer that labels can check`,
    )
  const labelled = await labelRows(ctx.db, {
    projectId: input.projectId,
    from: input.from,
    to: input.to,
    source: 'human',
  })
  const exclude = [...new Set(labelled.map((r) => r.eventId))]
  const uniform = Math.ceil(input.n * (input.uniformShare ?? 0.5))
  const rows = await queueQuery(ctx.ch)(
    queueSql(scorers.scores, scorers.where, {
      projectId: input.projectId,
      from: input.from,
      to: input.to,
      uniform,
      uncertain: input.n - uniform,
      seed: input.seed ?? Math.floor(Math.random() * 2 ** 32),
      exclude,
    }),
  )
  const items = rows.map((r): ReviewItem => {
    const verdict: Record<string, { value: number; label: string }> = {}
    for (const [name, v] of Object.entries(JSON.parse(r.verdict) as Record<string, string>)) {
      const parsed = JSON.parse(v) as { value: string; label: string }
      verdict[name] = { value: Number(parsed.value), label: parsed.label }
    }
    let sources: Array<{ id: string; text: string }> = []
    try {
      const s = JSON.parse(r.sources || '[]') as unknown
      if (Array.isArray(s)) sources = s as Array<{ id: string; text: string }>
    } catch {}
    return {
      eventId: r.id,
      model: r.model,
      time: r.time_ms,
      prompt: r.prompt,
      response: r.response_text,
      sources,
      verdict,
      sample: r.r_uniform <= uniform ? 'uniform' : 'targeted',
    }
  })
  return { metric: input.metric, asks: scorers.asks, items }
}
