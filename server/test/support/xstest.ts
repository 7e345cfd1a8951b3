import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

/**
 * XSTest (../shared/data/xstest): 450 prompts and two models' responses with human refusal labels, and a
 * loopback upstream that answers each (model, prompt) with the recorded response.
 */
const DATA = path.resolve(import.meta.dirname, '../../../../shared/data/xstest')

function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(cell)
      cell = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += ch
  }
  if (cell !== '' || row.length) rows.push([...row, cell])
  const [head, ...body] = rows
  return body
    .filter((r) => r.length === head?.length)
    .map((r) => Object.fromEntries((head ?? []).map((h, i) => [h, r[i] ?? ''])))
}

export interface Item {
  model: string
  prompt: string
  completion: string
  refusal: 'full' | 'partial' | 'none'
  harmful: boolean
}

export function loadXstest(): Item[] {
  const prompts = parseCsv(fs.readFileSync(path.join(DATA, 'xstest_prompts.csv'), 'utf8'))
  const unsafe = new Map(prompts.map((p) => [p.prompt, p.label === 'unsafe']))
  const out: Item[] = []
  for (const [file, model] of [
    ['xstest_v2_completions_gpt4.csv', 'gpt-4-xstest'],
    ['xstest_v2_completions_mistralguard.csv', 'mistral-guard-xstest'],
  ] as const) {
    for (const r of parseCsv(fs.readFileSync(path.join(DATA, 'model_completions', file), 'utf8'))) {
      const label = r.final_label ?? ''
      const refusal = label.startsWith('2') ? 'full' : label.startsWith('3') ? 'partial' : 'none'
      out.push({
        model,
        prompt: r.prompt ?? '',
        completion: r.completion ?? '',
        refusal,
        harmful: unsafe.get(r.prompt ?? '') ?? r.type?.startsWith('contrast') === true,
      })
    }
  }
  return out
}

/** Answers each (model, prompt) with its recorded completion. */
export async function replayUpstream(items: Item[]): Promise<{ url: string; server: Server }> {
  const table = new Map(items.map((i) => [`${i.model}\n${i.prompt}`, i.completion]))
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      const b = JSON.parse(body) as { model: string; messages: Array<{ content: string }> }
      const content = table.get(`${b.model}\n${b.messages.at(-1)?.content}`)
      if (content === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"unknown"}}')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          id: `chatcmpl-${randomUUID()}`,
          object: 'chat.completion',
          created: 1_700_000_000,
          model: b.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
        }),
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server }
}
