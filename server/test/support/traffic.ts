import OpenAI from 'openai'

export interface Traffic {
  /** Event ids of calls whose caller got the whole answer (plain: the body; stream: to its end). */
  answered: string[]
  /** Calls started (answered, failed or cut). */
  started: number
  failed: number
  stop(): Promise<void>
}

/**
 * `workers` callers using the official client against `baseURL`, half plain and half streaming, until
 * stopped. A call counts as answered only once the caller has seen the end of its response.
 */
export function runTraffic(baseURL: string, apiKey: string, workers: number): Traffic {
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: 20_000 })
  const t: Traffic = { answered: [], started: 0, failed: 0, stop: async () => {} }
  let stopped = false
  async function one(i: number, n: number): Promise<void> {
    t.started++
    const body = { model: 'gpt-test', messages: [{ role: 'user' as const, content: `w${i} call ${n}` }] }
    if (n % 2 === 0) {
      const { data, response } = await client.chat.completions.create(body).withResponse()
      if (!data.choices[0]?.message.content) throw new Error('empty answer')
      t.answered.push(response.headers.get('x-leash-event-id') ?? '')
      return
    }
    const { data, response } = await client.chat.completions.create({ ...body, stream: true }).withResponse()
    let text = ''
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? ''
    if (!text) throw new Error('empty stream')
    t.answered.push(response.headers.get('x-leash-event-id') ?? '')
  }
  const loops = Array.from({ length: workers }, async (_, i) => {
    for (let n = i; !stopped; n++) {
      try {
        await one(i, n)
      } catch {
        t.failed++
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  })
  t.stop = async () => {
    stopped = true
    await Promise.all(loops)
  }
  return t
}
