import type { IncomingMessage, ServerResponse } from 'node:http'

const MAX_BODY_BYTES = 8 * 1024 * 1024

export class DemoHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message)
  }
}

export function badRequest(message: string, param: string | null = null): DemoHttpError {
  return new DemoHttpError(400, message, 'invalid_request_error', null, param)
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > MAX_BODY_BYTES)
      throw new DemoHttpError(413, 'Request body is too large.', 'invalid_request_error')
    chunks.push(buf)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim().length === 0) throw badRequest('The request body is empty; expected a JSON object.')
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw badRequest('We could not parse the JSON body of your request. Send valid JSON.')
  }
}

export function demoHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-leash-demo': '1', 'openai-organization': 'leash-demo', ...extra }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(
    status,
    demoHeaders({ 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }),
  )
  res.end(text)
}

export function sendError(res: ServerResponse, err: DemoHttpError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  sendJson(res, err.status, {
    error: { message: err.message, type: err.type, param: err.param, code: err.code },
  })
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))
}
