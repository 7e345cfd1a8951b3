import type { IncomingHttpHeaders } from 'node:http'
import { z } from 'zod'
import { type ExchangeTags, Source } from '../exchange/record.ts'
import { badRequest } from './errors.ts'

const MAX_TAG_LENGTH = 256

/** Retrieved sources an answer should cite, from `x-leash-sources` or the body's `leash.sources`. */
export const SourceList = z.array(Source).max(1000)
export type SourceList = z.infer<typeof SourceList>

const NON_ASCII = /[\u0080-\uffff]/

/** Node reads header bytes as Latin-1; bytes that form valid UTF-8 are read again as UTF-8. */
export function utf8Header(v: string): string {
  if (!NON_ASCII.test(v)) return v
  const bytes = Buffer.from(v, 'latin1')
  const text = bytes.toString('utf8')
  return Buffer.byteLength(text) === bytes.length && !text.includes('\uFFFD') ? text : v
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name]
  const s = Array.isArray(v) ? v.join(',') : (v ?? '')
  return utf8Header(s).trim().slice(0, MAX_TAG_LENGTH)
}

export function readTags(headers: IncomingHttpHeaders): ExchangeTags {
  const extra: Record<string, string> = {}
  const raw = headers['x-leash-tags']
  if (
    raw === undefined &&
    headers['x-leash-user'] === undefined &&
    headers['x-leash-session'] === undefined &&
    headers['x-leash-feature'] === undefined &&
    headers['x-leash-policy-version'] === undefined
  )
    return { user: '', session: '', feature: '', policyVersion: '', extra }
  const list = utf8Header(Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
  for (const pair of list.split(',')) {
    const eq = pair.indexOf('=')
    if (eq <= 0) continue
    const key = pair.slice(0, eq).trim().slice(0, MAX_TAG_LENGTH)
    if (key)
      extra[key] = pair
        .slice(eq + 1)
        .trim()
        .slice(0, MAX_TAG_LENGTH)
  }
  return {
    user: header(headers, 'x-leash-user'),
    session: header(headers, 'x-leash-session'),
    feature: header(headers, 'x-leash-feature'),
    policyVersion: header(headers, 'x-leash-policy-version'),
    extra,
  }
}

export function parseSources(value: unknown, where: string): Source[] {
  const parsed = SourceList.safeParse(value)
  if (!parsed.success) {
    throw badRequest(`${where} must be a JSON array of {id, text, url?} objects`, where, 'invalid_sources')
  }
  return parsed.data.map((s) => (s.url === undefined ? { id: s.id, text: s.text } : s))
}

/** `x-leash-sources`: base64 (standard or url-safe) of a JSON array of sources. */
export function readHeaderSources(headers: IncomingHttpHeaders): Source[] | null {
  const raw = headers['x-leash-sources']
  if (raw === undefined || raw === '') return null
  const text = Buffer.from(Array.isArray(raw) ? raw.join('') : raw, 'base64').toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw badRequest(
      'x-leash-sources must be base64 of a JSON array of {id, text, url?}',
      'x-leash-sources',
      'invalid_sources',
    )
  }
  return parseSources(value, 'x-leash-sources')
}

// Hop-by-hop (RFC 9110 7.6.1) plus what the gateway owns: the caller's key, host, length, encoding.
const DROP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'authorization',
  'cookie',
  'accept-encoding', // identity bodies, so the recorded copy can be parsed
  'expect',
])

/**
 * Caller headers to forward upstream as a flat `[name, value, ...]` list (Node's parser has already
 * lowercased the names and joined repeats); the gateway adds `host`, `authorization` and the length.
 */
export function forwardHeaders(headers: IncomingHttpHeaders): string[] {
  const out: string[] = []
  const connection = headers.connection
  const listed =
    connection && connection !== 'keep-alive' && connection !== 'close'
      ? connection
          .toLowerCase()
          .split(',')
          .map((s) => s.trim())
      : null
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined || DROP.has(name) || name.startsWith('x-leash-')) continue
    if (listed?.includes(name)) continue
    out.push(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return out
}

const RESPONSE_DROP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'trailer',
  'upgrade',
])

/**
 * Upstream response headers for the caller, as a flat `[name, value, ...]` list in the upstream's own
 * spelling. An event stream loses `content-length` so a cut stream can still end cleanly.
 */
export function responseHeaders(raw: string[], sse: boolean, eventId: string | undefined): string[] {
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const lower = name.toLowerCase()
    if (RESPONSE_DROP.has(lower) || (sse && lower === 'content-length')) continue
    out.push(name, raw[i + 1] as string)
  }
  if (eventId !== undefined) out.push('x-leash-event-id', eventId)
  return out
}
