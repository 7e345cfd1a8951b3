/**
 * Removes what Leash added to a chat stream when it asked upstream for `stream_options.include_usage`
 * on the caller's behalf: the final usage-only event (`"choices":[]` plus `usage`) and the
 * `"usage":null` member OpenAI then puts in every other chunk. Only whole events are inspected: a
 * partial event at the end of a chunk waits for the rest, and only chunks holding the bytes
 * `"usage":` are looked at, so ordinary content chunks pass through untouched and unparsed.
 */

const USAGE = Buffer.from('"usage":')
const LF = 10
const CR = 13
/** A partial event bigger than this is passed through uninspected rather than held. */
const MAX_HELD_BYTES = 256 * 1024

/** Index just past the last blank line (`\n\n` or `\n\r\n`) in `buf`, 0 when there is none. */
function lastEventEnd(buf: Buffer): number {
  for (let i = buf.length - 1; i > 0; i--) {
    if (buf[i] !== LF) continue
    const p = buf[i - 1] === CR ? i - 2 : i - 1
    if (p >= 0 && buf[p] === LF) return i + 1
  }
  return 0
}

/** Start of the event holding byte `at`: just past the previous blank line. */
function eventStart(buf: Buffer, at: number): number {
  for (let i = at; i > 0; i--) {
    if (buf[i] !== LF) continue
    const p = buf[i - 1] === CR ? i - 2 : i - 1
    if (p >= 0 && buf[p] === LF) return i + 1
  }
  return 0
}

/** End of the event holding byte `at`: just past its blank line (or the buffer's end). */
function eventEnd(buf: Buffer, at: number): number {
  for (let i = at; i < buf.length; i++) {
    if (buf[i] !== LF) continue
    let j = i + 1
    if (buf[j] === CR) j++
    if (buf[j] === LF) return j + 1
  }
  return buf.length
}

function isUsageOnlyEvent(event: Buffer): boolean {
  const lines = event.toString('utf8').split(/\r?\n/)
  const data = lines
    .filter((l) => l.startsWith('data:'))
    .map((l) => (l.charCodeAt(5) === 32 ? l.slice(6) : l.slice(5)))
    .join('\n')
  try {
    const v = JSON.parse(data) as { choices?: unknown; usage?: unknown }
    const noChoices = v.choices === undefined || (Array.isArray(v.choices) && v.choices.length === 0)
    return noChoices && typeof v.usage === 'object' && v.usage !== null
  } catch {
    return false
  }
}

const isSpace = (c: number | undefined) => c === 32 || c === 9

/** Removes usage-only events and `"usage":null` members from whole events in `buf`. */
export function stripUsage(buf: Buffer): Buffer {
  let at = buf.indexOf(USAGE)
  if (at === -1) return buf
  const keep: Buffer[] = []
  let from = 0
  while (at !== -1) {
    let v = at + USAGE.length
    while (isSpace(buf[v])) v++
    let cutStart = -1
    let cutEnd = -1
    if (buf[v] === 110 && buf.toString('latin1', v, v + 4) === 'null') {
      let c = at - 1
      while (c >= 0 && isSpace(buf[c])) c--
      if (buf[c] === 44) [cutStart, cutEnd] = [c, v + 4] // `,"usage":null`
    } else if (buf[v] === 123) {
      const s = eventStart(buf, at)
      const e = eventEnd(buf, at)
      if (isUsageOnlyEvent(buf.subarray(s, e))) [cutStart, cutEnd] = [s, e]
    }
    if (cutStart >= from) {
      keep.push(buf.subarray(from, cutStart))
      from = cutEnd
    }
    at = buf.indexOf(USAGE, Math.max(v, from))
  }
  if (from === 0) return buf
  keep.push(buf.subarray(from))
  return Buffer.concat(keep)
}

export class UsageStripper {
  private held: Buffer | null = null

  /** Bytes to send the caller for this upstream chunk (possibly empty while an event is incomplete). */
  push(chunk: Buffer): Buffer {
    let buf = this.held === null ? chunk : Buffer.concat([this.held, chunk])
    this.held = null
    const last = buf.length
    if (buf[last - 1] !== LF || lastEventEnd(buf) !== last) {
      const end = lastEventEnd(buf)
      if (last - end <= MAX_HELD_BYTES) {
        this.held = buf.subarray(end)
        buf = buf.subarray(0, end)
      }
    }
    return buf.length === 0 ? buf : stripUsage(buf)
  }

  /** Whatever is still held when the upstream stream ends. */
  flush(): Buffer | null {
    const held = this.held
    this.held = null
    return held && held.length > 0 ? stripUsage(held) : null
  }
}
