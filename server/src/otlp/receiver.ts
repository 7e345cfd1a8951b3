import type { IncomingMessage, ServerResponse } from 'node:http'
import { gunzip } from 'node:zlib'
import type { ProjectSettings } from '@leash/shared'
import type { ExchangeSink } from '../exchange/record.ts'
import { EMPTY_TAGS, eventIdAt, externalRecord, lastUserText } from '../gateway/external.ts'
import type { TracesCaller } from '../gateway/index.ts'
import { readBody } from '../gateway/read-body.ts'
import { spanExchange } from './genai.ts'
import { decodeTraceRequest, ExportTraceServiceResponse, RpcStatus } from './proto.ts'
import { OtlpShapeError, type OtlpSpan, spansOf } from './spans.ts'

export interface TraceReceiverDeps {
  sink: ExchangeSink
  settings: { get(projectId: string): ProjectSettings }
  /** Largest body, compressed or not (a gzip body may not inflate past it either). */
  maxBytes: number
  log: (level: 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void
}

type Encoding = 'protobuf' | 'json'

/** gRPC status codes OTLP/HTTP carries in its error bodies (google.rpc.Status). */
const INVALID_ARGUMENT = 3
const UNAUTHENTICATED = 16
const UNAVAILABLE = 14

function reply(res: ServerResponse, status: number, encoding: Encoding, body: Buffer | string): void {
  if (res.headersSent) return
  const type = encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json'
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** An OTLP error: HTTP status plus a `google.rpc.Status` in the request's encoding. */
function fail(res: ServerResponse, status: number, encoding: Encoding, message: string): void {
  const code = status === 401 ? UNAUTHENTICATED : status >= 500 ? UNAVAILABLE : INVALID_ARGUMENT
  const body =
    encoding === 'protobuf'
      ? Buffer.from(RpcStatus.encode(RpcStatus.create({ code, message })).finish())
      : JSON.stringify({ code, message })
  reply(res, status, encoding, body)
}

function encodingOf(req: IncomingMessage): Encoding | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf'
  if (type === 'application/json') return 'json'
  return null
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** `POST /v1/traces`: LLM spans become exchanges in the spool; other spans are accepted and skipped. */
export function createTraceReceiver(deps: TraceReceiverDeps) {
  function toRecords(projectId: string, spans: OtlpSpan[]): { rejected: number; why: string } {
    const settings = deps.settings.get(projectId)
    let rejected = 0
    let why = ''
    for (const span of spans) {
      try {
        const x = spanExchange(span)
        if (!x) continue
        if (!span.traceId || !span.spanId) throw new Error('an LLM span without a trace id or span id')
        const a = { ...span.resource, ...span.attributes }
        const extra: Record<string, string> = {}
        if (typeof span.resource['service.name'] === 'string') extra.service = span.resource['service.name']
        deps.sink.record(
          externalRecord(
            {
              eventId: eventIdAt(span.startMs, projectId, `${span.traceId}:${span.spanId}`),
              projectId,
              origin: 'otlp',
              time: Math.floor(span.startMs),
              endpoint: x.endpoint,
              model: x.model,
              messages: x.messages,
              prompt: lastUserText(x.messages),
              responseText: x.responseText,
              toolCalls: x.toolCalls,
              tools: x.tools,
              usage: x.usage,
              latencyMs: Math.max(0, span.endMs - span.startMs),
              ttftMs: null,
              tags: {
                ...EMPTY_TAGS,
                user: str(a['user.id'] ?? a['enduser.id']).slice(0, 256),
                session: str(a['session.id'] ?? a['gen_ai.conversation.id']).slice(0, 256),
                extra,
              },
              sources: [],
              finishReason: x.finishReason,
              status: span.status.code === 2 ? 500 : 200,
              errorMessage: span.status.code === 2 ? span.status.message || 'span status ERROR' : '',
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
            },
            settings,
          ),
        )
      } catch (err) {
        rejected++
        why ||= err instanceof Error ? err.message : String(err)
      }
    }
    return { rejected, why }
  }

  function answer(res: ServerResponse, encoding: Encoding, rejected: number, why: string): void {
    const partial = rejected > 0 ? { partialSuccess: { rejectedSpans: rejected, errorMessage: why } } : {}
    const body =
      encoding === 'protobuf'
        ? Buffer.from(ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create(partial)).finish())
        : JSON.stringify(partial)
    reply(res, 200, encoding, body)
  }

  function handle(projectId: string, encoding: Encoding, body: Buffer, res: ServerResponse): void {
    let spans: OtlpSpan[]
    try {
      const request = encoding === 'protobuf' ? decodeTraceRequest(body) : JSON.parse(body.toString('utf8'))
      spans = spansOf(request, encoding === 'protobuf')
    } catch (err) {
      const what =
        encoding === 'protobuf' ? 'protobuf ExportTraceServiceRequest' : 'OTLP/JSON ExportTraceServiceRequest'
      const detail = err instanceof OtlpShapeError ? `: ${err.message}` : ''
      fail(res, 400, encoding, `the body is not a valid ${what}${detail}`)
      return
    }
    const { rejected, why } = toRecords(projectId, spans)
    if (rejected > 0) deps.log('warn', 'otlp: spans rejected', { projectId, rejected, why })
    answer(res, encoding, rejected, why)
  }

  return (req: IncomingMessage, res: ServerResponse, caller: TracesCaller): void => {
    const encoding = encodingOf(req)
    if ('status' in caller) {
      req.resume()
      fail(res, caller.status, encoding ?? 'json', caller.message)
      return
    }
    if (!encoding) {
      req.resume()
      fail(res, 415, 'json', 'OTLP/HTTP takes Content-Type application/x-protobuf or application/json')
      return
    }
    const gz = str(req.headers['content-encoding']).toLowerCase()
    if (gz !== '' && gz !== 'gzip' && gz !== 'identity') {
      req.resume()
      fail(res, 415, encoding, `Content-Encoding ${gz} is not supported (use gzip or none)`)
      return
    }
    readBody(req, deps.maxBytes, (err, raw) => {
      if (err) return fail(res, err.status, encoding, err.message)
      if (gz !== 'gzip') return handle(caller.projectId, encoding, raw, res)
      gunzip(raw, { maxOutputLength: deps.maxBytes }, (zerr, body) => {
        if (!zerr) return handle(caller.projectId, encoding, body, res)
        const big = (zerr as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
        fail(
          res,
          big ? 413 : 400,
          encoding,
          big ? `the body inflates past ${deps.maxBytes} bytes` : 'the gzip body could not be inflated',
        )
      })
    })
  }
}
