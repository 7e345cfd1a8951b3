/** Readers for parsed JSON of unknown shape (provider bodies, SSE chunks, OTLP attributes). */

export type Json = Record<string, unknown>

/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The value if it is a string, else ''. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** The value if it is a finite number, else 0. */
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
