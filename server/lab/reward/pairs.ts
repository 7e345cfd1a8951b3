import { createReadStream } from 'node:fs'
import readline from 'node:readline'
import { createGunzip } from 'node:zlib'
import { parseTranscript } from '../../src/scoring/reward/transcript.ts'
import type { ScoreMessage } from '../../src/scoring/scorer.ts'

/** One human preference: two responses to the same conversation, `chosen` preferred over `rejected`. */
export interface PreferencePair {
  /** The last user turn. */
  prompt: string
  /** The conversation before the responses (ends with the user turn). */
  messages: ScoreMessage[]
  chosen: string
  rejected: string
  /** Where the pair comes from (e.g. `hh-rlhf/harmless-base`), when the file says. */
  source?: string
}

export class PairsFileError extends Error {
  override name = 'PairsFileError'
}

function lastUser(messages: readonly ScoreMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ScoreMessage
    if (m.role === 'user') return m.content
  }
  return ''
}

function parseMessagesField(v: unknown): ScoreMessage[] | null {
  if (!Array.isArray(v)) return null
  const out: ScoreMessage[] = []
  for (const m of v) {
    if (!m || typeof m !== 'object') return null
    const { role, content } = m as { role?: unknown; content?: unknown }
    if (typeof role !== 'string' || typeof content !== 'string') return null
    out.push({ role, content })
  }
  return out
}

/** Splits an hh-rlhf transcript into the conversation before the last assistant turn and that turn. */
function splitTranscript(text: string): { context: ScoreMessage[]; response: string } | null {
  const turns = parseTranscript(text)
  const last = turns?.[turns.length - 1]
  if (!turns || !last || last.role !== 'assistant' || turns.length < 2) return null
  return { context: turns.slice(0, -1), response: last.content.trim() }
}

/**
 * Parses one pairs-file record. Accepted shapes: `{prompt, chosen, rejected}`, `{messages, chosen, rejected}`
 * and hh-rlhf's `{chosen: "\n\nHuman: ...\n\nAssistant: ...", rejected: "..."}`. Throws a message saying what is wrong.
 */
export function parsePairRecord(value: unknown): PreferencePair {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object')
  const r = value as Record<string, unknown>
  const { chosen, rejected } = r
  if (typeof chosen !== 'string') throw new Error("'chosen' must be a string")
  if (typeof rejected !== 'string') throw new Error("'rejected' must be a string")
  const source = typeof r.source === 'string' ? r.source : undefined
  if (r.prompt === undefined && r.messages === undefined) {
    const c = splitTranscript(chosen)
    const j = splitTranscript(rejected)
    if (!c || !j) {
      throw new Error(
        "needs 'prompt' or 'messages', or 'chosen'/'rejected' as '\\n\\nHuman: ...\\n\\nAssistant: ...' transcripts",
      )
    }
    return {
      prompt: lastUser(c.context),
      messages: c.context,
      chosen: c.response,
      rejected: j.response,
      source,
    }
  }
  if (r.messages !== undefined) {
    const messages = parseMessagesField(r.messages)
    if (!messages) throw new Error("'messages' must be an array of {role, content} with string fields")
    return { prompt: lastUser(messages), messages, chosen, rejected, source }
  }
  if (typeof r.prompt !== 'string') throw new Error("'prompt' must be a string")
  return { prompt: r.prompt, messages: [{ role: 'user', content: r.prompt }], chosen, rejected, source }
}

/** Reads a `.jsonl` or `.jsonl.gz` pairs file; a bad line stops the read with an error naming the line. */
export async function readPairsFile(file: string): Promise<PreferencePair[]> {
  const raw = createReadStream(file)
  const stream = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw
  const opened = new Promise<void>((resolve, reject) => {
    raw.once('open', () => resolve())
    raw.once('error', (err) => reject(new PairsFileError(`cannot read ${file}: ${err.message}`)))
  })
  await opened
  const pairs: PreferencePair[] = []
  let lineNo = 0
  try {
    for await (const line of readline.createInterface({
      input: stream,
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      lineNo++
      if (line.trim() === '') continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch {
        throw new PairsFileError(`${file}:${lineNo}: not valid JSON`)
      }
      try {
        pairs.push(parsePairRecord(value))
      } catch (err) {
        throw new PairsFileError(`${file}:${lineNo}: ${(err as Error).message}`)
      }
    }
  } catch (err) {
    if (err instanceof PairsFileError) throw err
    throw new PairsFileError(`${file}: cannot read (${(err as Error).message})`)
  } finally {
    raw.destroy()
  }
  if (pairs.length === 0) throw new PairsFileError(`${file}: no pairs`)
  return pairs
}
