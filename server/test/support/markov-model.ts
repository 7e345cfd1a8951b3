import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mulberry32 } from '../../src/core/random.ts'

/**
 * A vLLM-compatible `/v1/completions` server over a fixed 4-letter vocabulary whose next-token
 * distribution is known in closed form: a first-order Markov chain on the previous character,
 * P(x | c) proportional to Q(x | c) * exp(beta * W[x]). beta = 0 is the reference Q itself. It samples
 * completions at temperature 1 and, with `echo` + `logprobs`, returns the logprob of every echoed token
 * as vLLM does (`tokens`, `token_logprobs` with null first, `text_offset`). The `pairs` tokenizer cuts the
 * text in 2-character tokens instead, to prove a tokenization mismatch is caught.
 */
export const VOCAB = ['a', 'b', 'c', 'd'] as const
export const Q: Record<string, number[]> = {
  a: [0.4, 0.3, 0.2, 0.1],
  b: [0.25, 0.25, 0.25, 0.25],
  c: [0.1, 0.2, 0.3, 0.4],
  d: [0.3, 0.1, 0.3, 0.3],
  default: [0.25, 0.25, 0.25, 0.25],
}
export const W = [1.0, 0, -0.6, 0.3]

/** P(. | c) under tilt beta. */
export function dist(c: string, beta: number): number[] {
  const q = Q[c] ?? (Q.default as number[])
  const u = q.map((p, i) => p * Math.exp(beta * (W[i] as number)))
  const z = u.reduce((a, b) => a + b, 0)
  return u.map((x) => x / z)
}

function kl(p: number[], q: number[]): number {
  return p.reduce((s, pi, i) => s + (pi > 0 ? pi * Math.log(pi / (q[i] as number)) : 0), 0)
}

/**
 * The exact KL(policy || reference) of an L-token completion after a prompt ending in `last`:
 * sum over positions of E[KL(P(.|c_t) || Q(.|c_t))] with the context distribution propagated by P.
 */
export function trueSequenceKl(last: string, length: number, betaPolicy: number, betaRef = 0): number {
  let ctx = new Map<string, number>([[last, 1]])
  let total = 0
  for (let t = 0; t < length; t++) {
    const next = new Map<string, number>()
    for (const [c, w] of ctx) {
      const p = dist(c, betaPolicy)
      total += w * kl(p, dist(c, betaRef))
      p.forEach((pi, i) => {
        const x = VOCAB[i] as string
        next.set(x, (next.get(x) ?? 0) + w * pi)
      })
    }
    ctx = next
  }
  return total
}

export interface MarkovModel {
  baseUrl: string
  beta: number
  /** Scoring (echo) requests and generation requests served. */
  served: { echo: number; generate: number }
  close(): Promise<void>
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
}

export async function startMarkovModel(
  opts: {
    beta?: number
    seed?: number
    tokenizer?: 'chars' | 'pairs'
    delayMs?: number
    status?: number
  } = {},
): Promise<MarkovModel> {
  // Generation and scoring draw from separate streams, so the sampled completions depend only on the
  // order of the generation calls (sequential in the tests), never on when scoring calls interleave.
  const genRng = mulberry32(opts.seed ?? 7)
  const echoRng = mulberry32((opts.seed ?? 7) + 1)
  const state: MarkovModel = {
    baseUrl: '',
    beta: opts.beta ?? 0,
    served: { echo: 0, generate: 0 },
    close: async () => {},
  }
  const tokenize = (text: string): string[] =>
    opts.tokenizer === 'pairs' ? (text.match(/.{1,2}/gs) ?? []) : [...text]
  const sample = (c: string, rng: () => number): string => {
    const p = dist(c, state.beta)
    let u = rng()
    for (let i = 0; i < p.length; i++) {
      u -= p[i] as number
      if (u < 0) return VOCAB[i] as string
    }
    return VOCAB[VOCAB.length - 1] as string
  }
  const server = createServer((req, res) => {
    void (async () => {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs))
      if (opts.status) {
        res.writeHead(opts.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { message: 'reference down', type: 'server_error' } }))
        return
      }
      const body = await readBody(req)
      const prompt = String(body.prompt ?? '')
      const n = Number(body.max_tokens ?? 16)
      const echo = body.echo === true
      let gen = ''
      let last = prompt.slice(-1)
      for (let i = 0; i < n; i++) {
        const x = sample(last, echo ? echoRng : genRng)
        gen += x
        last = x
      }
      if (echo) state.served.echo++
      else state.served.generate++
      const text = echo ? prompt + gen : gen
      const toks = tokenize(text)
      let off = 0
      const offsets: number[] = []
      const lps: Array<number | null> = []
      toks.forEach((t, i) => {
        offsets.push(off)
        const prev = i === 0 ? null : text[off - 1]
        lps.push(
          prev === null || prev === undefined
            ? null
            : Math.log(dist(prev, state.beta)[VOCAB.indexOf(t[0] as 'a')] ?? 1e-9),
        )
        off += t.length
      })
      const logprobs =
        body.logprobs != null
          ? { tokens: toks, token_logprobs: lps, text_offset: offsets, top_logprobs: null }
          : null
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          id: `cmpl-${state.served.echo + state.served.generate}`,
          object: 'text_completion',
          created: Math.floor(Date.now() / 1000),
          model: String(body.model ?? 'markov'),
          choices: [{ index: 0, text, logprobs, finish_reason: 'length' }],
          usage: {
            prompt_tokens: tokenize(prompt).length,
            completion_tokens: n,
            total_tokens: tokenize(prompt).length + n,
          },
        }),
      )
    })().catch(() => {
      res.writeHead(500)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
