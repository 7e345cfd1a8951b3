import { Readable } from 'node:stream'
import type { ClickHouseClient } from '@clickhouse/client'
import { ZodError } from 'zod'

/** The raw insert of chdb's connection (`connection.chdb.rawInsert`): bytes in, parsed by the engine. */
interface ChdbRawInsert {
  rawInsert(params: {
    table: string
    values: Buffer
    format: 'JSONEachRow' | 'JSONCompactEachRow'
    columns?: readonly string[]
    settings?: Record<string, string | number | boolean>
  }): Promise<unknown>
}

/** chdb's raw-insert extension when `ch` runs over an in-process chdb connection, else null. */
export function chdbRawInsert(ch: ClickHouseClient): ChdbRawInsert | null {
  const conn = (ch as unknown as { connection?: { chdb?: Partial<ChdbRawInsert> } }).connection
  return typeof conn?.chdb?.rawInsert === 'function' ? (conn.chdb as ChdbRawInsert) : null
}

/** Rows encoded per slice before the event loop gets a turn (a slice is well under a millisecond). */
export const ENCODE_SLICE = 256

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Encodes `inputs` as JSON lines: `line` validates one input and returns its JSON text (it throws a
 * ZodError for an invalid one). Works in slices of `ENCODE_SLICE` rows and yields between them, so a
 * batch of thousands of rows never holds the event loop. Invalid rows go to `onInvalid` when given (else
 * the ZodError propagates).
 */
export async function encodeRows<I>(
  inputs: readonly I[],
  line: (input: I) => string,
  onInvalid?: (index: number, error: ZodError) => void,
): Promise<{ body: Buffer; rows: number }> {
  const parts: string[] = []
  let rows = 0
  for (let start = 0; start < inputs.length; start += ENCODE_SLICE) {
    if (start > 0) await turn()
    const end = Math.min(inputs.length, start + ENCODE_SLICE)
    let chunk = ''
    for (let i = start; i < end; i++) {
      let text: string
      try {
        text = line(inputs[i] as I)
      } catch (err) {
        if (!(err instanceof ZodError) || !onInvalid) throw err
        onInvalid(i, err)
        continue
      }
      chunk += `${text}\n`
      rows++
    }
    parts.push(chunk)
  }
  return { body: Buffer.from(parts.join('')), rows }
}

export interface BodyInsert {
  /** Sent as `log_comment` (findable in `system.query_log`); empty = none. */
  name: string
  table: string
  columns?: readonly string[]
  format: 'JSONEachRow' | 'JSONCompactEachRow'
  body: Buffer
  dedupToken?: string
}

/**
 * Sends an encoded body. Embedded chdb takes the buffer as it is (no copy, parsed by the engine's
 * parallel parser instead of being pasted into the SQL text); a server gets it as the HTTP body of an
 * `INSERT ... FORMAT` (the client does not re-encode it). The dedup token is a SETTINGS clause of the
 * INSERT itself, never a session setting.
 */
export async function insertBody(ch: ClickHouseClient, ins: BodyInsert): Promise<void> {
  const raw = chdbRawInsert(ch)
  const settings: Record<string, string> = ins.name ? { log_comment: ins.name } : {}
  if (ins.dedupToken) settings.insert_deduplication_token = ins.dedupToken
  if (raw) {
    await raw.rawInsert({
      table: ins.table,
      values: ins.body,
      format: ins.format,
      ...(ins.columns ? { columns: ins.columns } : {}),
      settings,
    })
    return
  }
  const cols = ins.columns ? ` (${ins.columns.join(', ')})` : ''
  const dedup = ins.dedupToken
    ? ` SETTINGS insert_deduplication_token = '${ins.dedupToken.replace(/[\\']/g, '\\$&')}'`
    : ''
  const res = await ch.exec({
    query: `INSERT INTO ${ins.table}${cols}${dedup} FORMAT ${ins.format}`,
    values: Readable.from([ins.body]),
    ...(ins.name ? { clickhouse_settings: { log_comment: ins.name } } : {}),
  })
  res.stream.destroy()
}
