/**
 * The reference's (and the policy's) OpenAI-compatible endpoints, called off the hot path. Every call has
 * its own timeout; a failure is an error of this sample only.
 */
export interface Endpoint {
  baseUrl: string
  model: string
  apiKey?: string
  timeoutMs: number
}

export class ReferenceCallError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'http' | 'shape',
  ) {
    super(message)
  }
}

function url(base: string, path: string): string {
  const b = base.replace(/\/+$/, '')
  return `${b.endsWith('/v1') ? b : `${b}/v1`}${path}`
}

async function post(ep: Endpoint, path: string, body: unknown): Promise<Record<string, unknown>> {
  let res: Response
  try {
    res = await fetch(url(ep.baseUrl, path), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(ep.apiKey ? { authorization: `Bearer ${ep.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ep.timeoutMs),
    })
  } catch (err) {
    const e = err as Error
    const timeout = e.name === 'TimeoutError' || e.name === 'AbortError'
    throw new ReferenceCallError(
      timeout ? `no answer within ${ep.timeoutMs} ms` : e.message,
      timeout ? 'timeout' : 'http',
    )
  }
  const text = await res.text()
  if (!res.ok) throw new ReferenceCallError(`HTTP ${res.status}: ${text.slice(0, 200)}`, 'http')
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new ReferenceCallError('the answer is not JSON', 'shape')
  }
}

export interface ScoredTokens {
  tokens: string[]
  logprobs: number[]
  /** Tokens of the prompt + completion text as a whole, to check both sides tokenize identically. */
  allTokens: string[]
}

/**
 * Logprobs of `completion`'s tokens given `prompt`, by scoring prompt + completion with `echo`
 * (`max_tokens: 1`, the widest-supported form; the one generated token is ignored).
 */
export async function scoreCompletion(
  ep: Endpoint,
  prompt: string,
  completion: string,
): Promise<ScoredTokens> {
  const full = prompt + completion
  const body = await post(ep, '/completions', {
    model: ep.model,
    prompt: full,
    echo: true,
    max_tokens: 1,
    logprobs: 1,
    temperature: 1,
  })
  const choice = (body.choices as Array<Record<string, unknown>> | undefined)?.[0]
  const lp = choice?.logprobs as
    | { tokens?: unknown; token_logprobs?: unknown; text_offset?: unknown }
    | null
    | undefined
  if (!lp || !Array.isArray(lp.tokens) || !Array.isArray(lp.token_logprobs) || !Array.isArray(lp.text_offset))
    throw new ReferenceCallError('the answer has no echoed token logprobs', 'shape')
  const tokens: string[] = []
  const logprobs: number[] = []
  const allTokens: string[] = []
  for (let i = 0; i < lp.tokens.length; i++) {
    const off = Number(lp.text_offset[i])
    const tok = String(lp.tokens[i])
    if (off >= full.length) break // the generated token after the echo
    allTokens.push(tok)
    if (off + tok.length <= prompt.length) continue
    const v = lp.token_logprobs[i]
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ReferenceCallError(`no logprob for completion token ${i}`, 'shape')
    tokens.push(tok)
    logprobs.push(v)
  }
  return { tokens, logprobs, allTokens }
}

export interface Answer {
  text: string
  usage: { promptTokens: number; completionTokens: number } | null
}

/** The reference's own answer to the same request (paired mode). */
export async function answer(
  ep: Endpoint,
  req: { messages?: unknown[]; prompt?: string; maxTokens: number },
): Promise<Answer> {
  const chat = req.messages !== undefined
  const body = await post(ep, chat ? '/chat/completions' : '/completions', {
    model: ep.model,
    ...(chat ? { messages: req.messages } : { prompt: req.prompt }),
    max_tokens: req.maxTokens,
  })
  const choice = (body.choices as Array<Record<string, unknown>> | undefined)?.[0]
  const text = chat
    ? (choice?.message as { content?: unknown } | undefined)?.content
    : (choice as { text?: unknown } | undefined)?.text
  if (typeof text !== 'string') throw new ReferenceCallError('the answer has no text', 'shape')
  const u = body.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined
  return {
    text,
    usage: u ? { promptTokens: u.prompt_tokens ?? 0, completionTokens: u.completion_tokens ?? 0 } : null,
  }
}
