import { createHash } from 'node:crypto'
import { fnv1a32 } from '../../core/hash.ts'
import type { ScoreRow } from '../../exchange/score.ts'
import { costUsd, priceFor } from '../../pricing/index.ts'
import { JUDGE_METRICS, type JudgeMetric, judgeMessages, parseVerdict, rubricHash } from './rubrics.ts'

/** A project's `scoring.judge` setting. */
export interface JudgeConfig {
  /** Any OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 */
  baseUrl: string
  model: string
  /** Name of the environment variable holding the judge's API key (never the key itself). */
  apiKeyEnv?: string
  /** Share of exchanges judged, 0..1 (deterministic by event id). */
  sampleRate: number
  maxPerMinute: number
  maxUsdPerDay: number
  metrics: JudgeMetric[]
  timeoutMs?: number
}

export interface JudgeItem {
  eventId: string
  projectId: string
  time: number
  prompt: string
  response: string
}

export interface JudgeStats {
  calls: number
  judged: number
  cached: number
  malformed: number
  errors: number
  rateLimited: number
  skippedRate: number
  skippedBudget: number
  costUsd: number
}

/**
 * Runs an LLM judge off the hot path: the ingest pipeline hands it exchanges and forgets them; a sampled
 * share is judged, within a calls-per-minute limit and a daily budget, and the verdicts are written as
 * scores `judge:<model>` (version = rubric hash, names `judge_<metric>`). Calls go straight to the
 * judge's endpoint (never through the gateway), so they are never recorded as traffic. Verdicts are cached
 * by content (rubric + prompt + response), and a malformed answer is counted and dropped.
 */
export function createJudgeRunner(opts: {
  config: JudgeConfig
  write: (rows: ScoreRow[]) => Promise<void>
  env?: Record<string, string | undefined>
  now?: () => number
  cacheSize?: number
}) {
  const { config } = opts
  const now = opts.now ?? Date.now
  const env = opts.env ?? process.env
  const stats: JudgeStats = {
    calls: 0,
    judged: 0,
    cached: 0,
    malformed: 0,
    errors: 0,
    rateLimited: 0,
    skippedRate: 0,
    skippedBudget: 0,
    costUsd: 0,
  }
  const cache = new Map<string, { value: number; label: string }>()
  const cacheSize = opts.cacheSize ?? 10_000
  let minute = { start: 0, calls: 0 }
  let day = { start: 0, usd: 0 }
  let backoffUntil = 0
  const price = priceFor(config.model)
  const scorer = `judge:${config.model}`

  const sampled = (eventId: string) => fnv1a32(eventId, 0x5eed) / 2 ** 32 < config.sampleRate

  function admit(t: number): 'ok' | 'rate' | 'budget' {
    if (t - day.start >= 86_400_000) day = { start: t - (t % 86_400_000), usd: 0 }
    if (day.usd >= config.maxUsdPerDay) return 'budget'
    if (t < backoffUntil) return 'rate'
    if (t - minute.start >= 60_000) minute = { start: t, calls: 0 }
    if (minute.calls >= config.maxPerMinute) return 'rate'
    minute.calls++
    return 'ok'
  }

  async function call(
    metric: JudgeMetric,
    item: JudgeItem,
  ): Promise<{ value: number; label: string } | null> {
    const key = createHash('sha256')
      .update(`${rubricHash(metric)}\0${config.model}\0${item.prompt}\0${item.response}`)
      .digest('hex')
    const hit = cache.get(key)
    if (hit) {
      stats.cached++
      return hit
    }
    const gate = admit(now())
    if (gate === 'rate') {
      stats.skippedRate++
      return null
    }
    if (gate === 'budget') {
      stats.skippedBudget++
      return null
    }
    stats.calls++
    const apiKey = config.apiKeyEnv ? env[config.apiKeyEnv] : undefined
    let res: Response
    try {
      res = await fetch(`${config.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: config.model,
          temperature: 0,
          messages: judgeMessages(metric, item.prompt, item.response),
        }),
        signal: AbortSignal.timeout(config.timeoutMs ?? 20_000),
      })
    } catch {
      stats.errors++
      return null
    }
    if (res.status === 429) {
      stats.rateLimited++
      const retry = Number(res.headers.get('retry-after'))
      backoffUntil = now() + (Number.isFinite(retry) && retry > 0 ? retry * 1000 : 60_000)
      await res.body?.cancel()
      return null
    }
    if (!res.ok) {
      stats.errors++
      await res.body?.cancel()
      return null
    }
    let body: { choices?: Array<{ message?: { content?: unknown } }>; usage?: Record<string, number> }
    try {
      body = (await res.json()) as typeof body
    } catch {
      stats.malformed++
      return null
    }
    const usage = body.usage
    if (usage) {
      const usd = costUsd(
        {
          promptTokens: usage.prompt_tokens ?? 0,
          completionTokens: usage.completion_tokens ?? 0,
          cachedTokens: 0,
        },
        price,
      )
      stats.costUsd += usd
      day.usd += usd
    }
    const content = body.choices?.[0]?.message?.content
    const verdict = typeof content === 'string' ? parseVerdict(metric, content) : null
    if (!verdict) {
      stats.malformed++
      return null
    }
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string)
    cache.set(key, verdict)
    return verdict
  }

  /** Judges the sampled share of `items` and writes the verdicts; never throws. */
  async function judge(items: readonly JudgeItem[]): Promise<ScoreRow[]> {
    const rows: ScoreRow[] = []
    for (const item of items) {
      if (!sampled(item.eventId)) continue
      for (const metric of config.metrics.filter((m) => JUDGE_METRICS.includes(m))) {
        const v = await call(metric, item)
        if (!v) continue
        stats.judged++
        rows.push({
          eventId: item.eventId,
          projectId: item.projectId,
          time: item.time,
          scorer,
          scorerVersion: rubricHash(metric),
          name: `judge_${metric}`,
          value: v.value,
          label: v.label,
        })
      }
    }
    if (rows.length) await opts.write(rows)
    return rows
  }

  return { judge, stats, sampled }
}
