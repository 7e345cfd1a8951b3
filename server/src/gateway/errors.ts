import type { ServerResponse } from 'node:http'

export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'server_error'
  | 'upstream_error'
  | 'timeout_error'

/** An error the gateway answers itself, in OpenAI's shape; the message is safe to show a caller. */
export class GatewayError extends Error {
  override name = 'GatewayError'
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAiErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message)
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, message, 'invalid_request_error', code, param)

const ANTHROPIC_CALLERS = new WeakSet<ServerResponse>()

/** This caller speaks the Anthropic Messages API: errors Leash itself answers take Anthropic's shape. */
export function speakAnthropic(res: ServerResponse): void {
  ANTHROPIC_CALLERS.add(res)
}

function anthropicType(status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404 || status === 405) return 'not_found_error'
  if (status === 413) return 'request_too_large'
  if (status === 429) return 'rate_limit_error'
  if (status < 500) return 'invalid_request_error'
  return 'api_error'
}

/**
 * Writes `{"error":{message,type,param,code}}` (OpenAI), or `{"type":"error","error":{type,message}}`
 * to an Anthropic caller; a no-op when the response is already under way.
 */
export function sendError(
  res: ServerResponse,
  err: GatewayError,
  extraHeaders?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.end()
    return
  }
  const body = ANTHROPIC_CALLERS.has(res)
    ? JSON.stringify({ type: 'error', error: { type: anthropicType(err.status), message: err.message } })
    : JSON.stringify({ error: { message: err.message, type: err.type, param: err.param, code: err.code } })
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  })
  res.end(body)
}
