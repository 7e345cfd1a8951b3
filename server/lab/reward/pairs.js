import { createReadStream } from 'node:fs'
import readline from 'node:readline'
import { createGunzip } from 'node:zlib'
import { parseTranscript } from '../../src/scoring/reward/transcript.js'
export class PairsFileError extends Error {
  name = 'PairsFileError'
}
function lastUser(messages) {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m.role === 'user') return m.content
  }
  return ''
}
function parseMessagesField(v) {
  if (!Array.isArray(v)) return null
  const out = []
  for (const m of v) {
    if (!m || typeof m !== 'object') return null
    const { role, content } = m
    if (typeof role !== 'string' || typeof content !== 'string') return null
    out.push({ role, content })
  }
  return out
}
/** Splits an hh-rlhf transcript into the conversation before the last assistant turn and that turn. */
function splitTranscript(text) {
  const turns = parseTranscript(text)
  const last = turns?.[turns.length - 1]
  if (!turns || !last || last.role !== 'assistant' || turns.length < 2) return null
  return { context: turns.slice(0, -1), response: last.content.trim() }
}
/**
 * Parses one pairs-file record. Accepted shapes: `{prompt, chosen, rejected}`, `{messages, chosen, rejected}`
 * and hh-rlhf's `{chosen: "\n\nHuman: ...\n\nAssistant: ...", rejected: "..."}`. Throws a message saying what is wrong.
 */
export function parsePairRecord(value) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object')
  const r = value
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
export async function readPairsFile(file) {
  const raw = createReadStream(file)
  const stream = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw
  const opened = new Promise((resolve, reject) => {
    raw.once('open', () => resolve())
    raw.once('error', (err) => reject(new PairsFileError(`cannot read ${file}: ${err.message}`)))
  })
  await opened
  const pairs = []
  let lineNo = 0
  try {
    for await (const line of readline.createInterface({
      input: stream,
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      lineNo++
      if (line.trim() === '') continue
      let value
      try {
        value = JSON.parse(line)
      } catch {
        throw new PairsFileError(`${file}:${lineNo}: not valid JSON`)
      }
      try {
        pairs.push(parsePairRecord(value))
      } catch (err) {
        throw new PairsFileError(`${file}:${lineNo}: ${err.message}`)
      }
    }
  } catch (err) {
    if (err instanceof PairsFileError) throw err
    throw new PairsFileError(`${file}: cannot read (${err.message})`)
  } finally {
    raw.destroy()
  }
  if (pairs.length === 0) throw new PairsFileError(`${file}: no pairs`)
  return pairs
}
