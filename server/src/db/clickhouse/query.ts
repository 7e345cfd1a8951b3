import { type ClickHouseClient, ClickHouseError } from '@clickhouse/client'
import { ZodError, z } from 'zod'
import { LeashError } from '../../errors.ts'
import { encodeRows, insertBody } from './insert-body.ts'

/** SQL assembled from whitelisted pieces, with the values for its own `{name:Type}` placeholders. */
export interface BuiltSql {
  sql: string
  params: Record<string, unknown>
}

export interface QueryDefinition<P extends z.ZodType, R extends z.ZodType> {
  /** Sent as `log_comment`, so the query is findable in `system.query_log`. */
  name: string
  params: P
  row: R
  /** Fixed SQL whose placeholders are the params, or SQL built from them (then its own values go). */
  sql: string | ((params: z.output<P>) => string | BuiltSql)
}

/** One named query: `(ch) => (params) => rows`, params and rows checked by their schemas. */
export type Query<P extends z.ZodType, R extends z.ZodType> = (
  ch: ClickHouseClient,
) => (params: z.input<P>) => Promise<z.output<R>[]>

// Errors of the way to the engine (no answer at all), as opposed to an answer that is an error.
const TRANSPORT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

export function isTransportError(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof ClickHouseError) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && (TRANSPORT_CODES.has(code) || code.startsWith('UND_ERR_'))) return true
  return /^Timeout error|socket hang up/i.test(err.message)
}

/** A storage outage becomes the one `storage_unavailable` error; anything else passes unchanged. */
export function mapStorageError(name: string, err: unknown): unknown {
  if (!isTransportError(err)) return err
  return new LeashError('storage_unavailable', `ClickHouse unavailable: no answer to query ${name}`, {
    cause: err,
  })
}

export function defineQuery<P extends z.ZodType, R extends z.ZodType>(
  def: QueryDefinition<P, R>,
): Query<P, R> {
  const rows = z.array(def.row)
  return (ch) => async (input) => {
    const params = def.params.parse(input)
    const built = typeof def.sql === 'string' ? def.sql : def.sql(params)
    const query = typeof built === 'string' ? built : built.sql
    const queryParams = typeof built === 'string' ? (params as Record<string, unknown>) : built.params
    let raw: unknown
    try {
      const rs = await ch.query({
        query,
        query_params: queryParams,
        format: 'JSONEachRow',
        clickhouse_settings: { log_comment: def.name },
      })
      raw = await rs.json()
    } catch (err) {
      throw mapStorageError(def.name, err)
    }
    return rows.parse(raw)
  }
}

export interface InsertOptions {
  /**
   * Insert deduplication token, sent as a SETTINGS clause of the INSERT itself (never as a session
   * setting: chdb keeps `SET`s for the rest of the session, which would silently drop later inserts).
   */
  dedupToken?: string
  /** When given, rows that fail validation are reported and skipped; otherwise the insert throws. */
  onInvalid?: (index: number, error: ZodError) => void
}

/** Maps rows, skipping invalid ones through `onInvalid` when given (else the ZodError propagates). */
export function mapValid<I, O>(rows: readonly I[], map: (row: I) => O, opts: InsertOptions): O[] {
  if (!opts.onInvalid) return rows.map(map)
  const out: O[] = []
  rows.forEach((row, i) => {
    try {
      out.push(map(row))
    } catch (err) {
      if (!(err instanceof ZodError)) throw err
      opts.onInvalid?.(i, err)
    }
  })
  return out
}

/** `table SETTINGS insert_deduplication_token = '...'`: the client puts the table name after INSERT INTO. */
export function insertTarget(table: string, opts: InsertOptions): string {
  if (!opts.dedupToken) return table
  return `${table} SETTINGS insert_deduplication_token = '${opts.dedupToken.replace(/[\\']/g, '\\$&')}'`
}

export interface InsertDefinition<I, O> {
  /** Sent as `log_comment`, so the insert is findable in `system.query_log`. */
  name: string
  table: string
  /** One input as the row to send, validated (a bad row throws a ZodError). */
  row: (input: I) => O
  /** JSONEachRow objects, or JSONCompactEachRow arrays in `columns` order. */
  format?: 'JSONEachRow' | 'JSONCompactEachRow'
  columns?: readonly string[]
}

/**
 * One named insert: `(ch) => (inputs, opts) => void`. Each row is mapped and checked once, here, and
 * encoded as JSON lines in slices that yield to the event loop (insert-body.ts); the body goes to
 * ClickHouse without being encoded again.
 */
export function defineInsert<I, O>(def: InsertDefinition<I, O>) {
  const format = def.format ?? 'JSONEachRow'
  const line = (input: I) => JSON.stringify(def.row(input))
  return (ch: ClickHouseClient) =>
    async (inputs: readonly I[], opts: InsertOptions = {}): Promise<void> => {
      const { body, rows } = await encodeRows(inputs, line, opts.onInvalid)
      if (rows === 0) return
      try {
        await insertBody(ch, {
          name: def.name,
          table: def.table,
          ...(def.columns ? { columns: def.columns } : {}),
          format,
          body,
          ...(opts.dedupToken ? { dedupToken: opts.dedupToken } : {}),
        })
      } catch (err) {
        throw mapStorageError(def.name, err)
      }
    }
}
