import { isObject, type Json } from '../core/json.ts'
/**
 * One shape for spans from either OTLP encoding: protobuf (decoded with ids as base64) or OTLP/JSON
 * (ids as hex, 64-bit integers as strings or numbers). Attribute values become plain JS values.
 */
export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  startMs: number
  endMs: number
  attributes: Record<string, unknown>
  events: Array<{ name: string; attributes: Record<string, unknown> }>
  status: { code: number; message: string }
  resource: Record<string, unknown>
  scope: string
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
/** OTLP/JSON allows the proto field names too (`resource_spans`); camelCase is what exporters send. */
const field = (o: Json, camel: string, snake: string): unknown => o[camel] ?? o[snake]

export class OtlpShapeError extends Error {
  override name = 'OtlpShapeError'
}

function anyValue(v: unknown): unknown {
  if (!isObject(v)) return undefined
  if ('stringValue' in v || 'string_value' in v) return String(field(v, 'stringValue', 'string_value'))
  if ('boolValue' in v || 'bool_value' in v) return field(v, 'boolValue', 'bool_value') === true
  if ('intValue' in v || 'int_value' in v) return Number(field(v, 'intValue', 'int_value'))
  if ('doubleValue' in v || 'double_value' in v) return Number(field(v, 'doubleValue', 'double_value'))
  const arr = field(v, 'arrayValue', 'array_value')
  if (isObject(arr)) return list(arr.values).map(anyValue)
  const kv = field(v, 'kvlistValue', 'kvlist_value')
  if (isObject(kv)) return attributes(kv.values)
  const bytes = field(v, 'bytesValue', 'bytes_value')
  if (typeof bytes === 'string') return bytes
  return undefined
}

export function attributes(kvs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const kv of list(kvs)) {
    if (isObject(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value)
  }
  return out
}

const HEX = /^[0-9a-f]*$/i

function id(v: unknown, base64: boolean, bytes: number): string {
  if (typeof v !== 'string' || v === '') return ''
  const hex = base64 ? Buffer.from(v, 'base64').toString('hex') : v.toLowerCase()
  if (!HEX.test(hex) || hex.length !== bytes * 2) throw new OtlpShapeError(`a span id is not ${bytes} bytes`)
  return /^0+$/.test(hex) ? '' : hex
}

/** Unix nanoseconds (string or number) to milliseconds. */
function ms(v: unknown): number {
  if (typeof v === 'number') return v / 1e6
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(BigInt(v) / 1000n) / 1000
  return 0
}

/** A span status code: the number, or its enum name as some OTLP/JSON writers send it. */
function statusCode(v: unknown): number {
  if (v === 'STATUS_CODE_ERROR') return 2
  if (v === 'STATUS_CODE_OK') return 1
  return Number(v ?? 0) || 0
}

/** Every span of an export request; `base64Ids` for the protobuf decoding, hex for OTLP/JSON. */
export function spansOf(request: unknown, base64Ids: boolean): OtlpSpan[] {
  if (!isObject(request)) throw new OtlpShapeError('the body is not an ExportTraceServiceRequest')
  const out: OtlpSpan[] = []
  for (const rs of list(field(request, 'resourceSpans', 'resource_spans'))) {
    if (!isObject(rs)) continue
    const resource = isObject(rs.resource) ? attributes(rs.resource.attributes) : {}
    for (const ss of list(field(rs, 'scopeSpans', 'scope_spans'))) {
      if (!isObject(ss)) continue
      const scope = isObject(ss.scope) && typeof ss.scope.name === 'string' ? ss.scope.name : ''
      for (const s of list(ss.spans)) {
        if (!isObject(s)) continue
        const status = isObject(s.status) ? s.status : {}
        out.push({
          traceId: id(field(s, 'traceId', 'trace_id'), base64Ids, 16),
          spanId: id(field(s, 'spanId', 'span_id'), base64Ids, 8),
          parentSpanId: id(field(s, 'parentSpanId', 'parent_span_id'), base64Ids, 8),
          name: typeof s.name === 'string' ? s.name : '',
          startMs: ms(field(s, 'startTimeUnixNano', 'start_time_unix_nano')),
          endMs: ms(field(s, 'endTimeUnixNano', 'end_time_unix_nano')),
          attributes: attributes(s.attributes),
          events: list(s.events)
            .filter(isObject)
            .map((e) => ({
              name: typeof e.name === 'string' ? e.name : '',
              attributes: attributes(e.attributes),
            })),
          status: {
            code: statusCode(status.code),
            message: typeof status.message === 'string' ? status.message : '',
          },
          resource,
          scope,
        })
      }
    }
  }
  return out
}
