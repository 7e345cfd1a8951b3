import { setTimeout as sleep } from 'node:timers/promises'
import { SCORE, type ScoreInput, type Scorer } from '../scorer.ts'
import { CircuitBreaker } from './breaker.ts'

/**
 * A remote reward endpoint. Protocol (docs/decisions/007-reward-model.md):
 *   POST <url>  {"inputs": [{"prompt", "response", "messages": [{role, content}]}]}
 *   200         {"scores": [number, ...]}  one finite number per input, in order;
 *               optional header `x-reward-model-version` names the model version.
 * Each attempt has a timeout; network errors, timeouts, 429 and 5xx are retried with jittered exponential
 * backoff; a circuit breaker stops calling a failing endpoint. A failed batch rejects, so only its reward
 * scores are lost: scoring is off the request path, a slow endpoint delays scores, never traffic.
 */
export const VERSION_HEADER = 'x-reward-model-version'

export interface RemoteOptions {
  url: string
  /** Per attempt (default 10 s). */
  timeoutMs?: number
  /** Retries after the first attempt (default 2). */
  retries?: number
  /** Backoff base; attempt k waits a random time in [0, base * 2^k] (default 200 ms). */
  backoffMs?: number
  /** Consecutive failed attempts that open the circuit (default 5). */
  failureThreshold?: number
  /** How long the circuit stays open before a probe (default 30 s). */
  cooldownMs?: number
  /** Inputs per request (default 64); a larger batch goes out as several requests. */
  maxBatch?: number
  shadow?: boolean
}

export class RemoteScorerError extends Error {
  override name = 'RemoteScorerError'
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
  }
}

function parseScores(body: unknown, expected: number): number[] {
  const scores = (body as { scores?: unknown } | null)?.scores
  if (!Array.isArray(scores)) throw new RemoteScorerError("response has no 'scores' array", false)
  if (scores.length !== expected) {
    throw new RemoteScorerError(`response has ${scores.length} scores for ${expected} inputs`, false)
  }
  for (const s of scores) {
    if (typeof s !== 'number' || !Number.isFinite(s))
      throw new RemoteScorerError('response has a non-numeric score', false)
  }
  return scores as number[]
}

export interface RemoteRewardScorer extends Scorer {
  readonly breaker: CircuitBreaker
}

export function createRemoteRewardScorer(opts: RemoteOptions): RemoteRewardScorer {
  const url = new URL(opts.url)
  const timeoutMs = opts.timeoutMs ?? 10_000
  const retries = opts.retries ?? 2
  const backoffMs = opts.backoffMs ?? 200
  const maxBatch = Math.max(opts.maxBatch ?? 64, 1)
  const breaker = new CircuitBreaker({
    failureThreshold: opts.failureThreshold ?? 5,
    cooldownMs: opts.cooldownMs ?? 30_000,
  })
  const scoreName = opts.shadow ? SCORE.rewardShadow : SCORE.reward
  let version = 'remote'

  async function attempt(inputs: readonly ScoreInput[]): Promise<number[]> {
    let res: Response
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          inputs: inputs.map((i) => ({ prompt: i.prompt, response: i.response, messages: i.messages })),
        }),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      const e = err as Error
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError'
      throw new RemoteScorerError(
        timedOut ? `timed out after ${timeoutMs} ms` : `request failed (${e.message})`,
        true,
      )
    }
    let text: string
    try {
      text = await res.text()
    } catch (err) {
      throw new RemoteScorerError(`reading the response failed (${(err as Error).message})`, true)
    }
    if (!res.ok) throw new RemoteScorerError(`HTTP ${res.status}`, res.status === 429 || res.status >= 500)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new RemoteScorerError('response is not JSON', false)
    }
    const scores = parseScores(body, inputs.length)
    const v = res.headers.get(VERSION_HEADER)
    if (v) version = v.slice(0, 64)
    return scores
  }

  async function scoreChunk(inputs: readonly ScoreInput[]): Promise<number[]> {
    let last: RemoteScorerError | null = null
    for (let k = 0; k <= retries; k++) {
      const gate = breaker.tryAcquire()
      if (!gate.ok) {
        const why = last ? `; last error: ${last.message}` : ''
        throw new RemoteScorerError(
          `circuit open for ${url.host}, next probe in ${gate.retryInMs} ms${why}`,
          false,
        )
      }
      try {
        const scores = await attempt(inputs)
        breaker.success()
        return scores
      } catch (err) {
        breaker.failure()
        last = err as RemoteScorerError
        // A probe gets one attempt; a non-retryable answer is not asked twice.
        if (gate.probe || !last.retryable || k === retries) break
        await sleep(Math.random() * backoffMs * 2 ** k)
      }
    }
    throw new RemoteScorerError(`remote reward ${url.host}: ${last?.message ?? 'failed'}`, false)
  }

  return {
    name: `reward-remote:${url.host}`,
    get version() {
      return version
    },
    breaker,
    async scoreBatch(inputs) {
      const out: number[] = []
      for (let start = 0; start < inputs.length; start += maxBatch) {
        out.push(...(await scoreChunk(inputs.slice(start, start + maxBatch))))
      }
      return out.map((value) => [{ name: scoreName, value }])
    },
  }
}
