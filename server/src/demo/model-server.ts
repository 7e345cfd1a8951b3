import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DemoContext } from './chat-route.ts'
import { handleChat } from './chat-route.ts'
import { DemoHttpError, readJson, sendError } from './http-util.ts'
import {
  CHAT_MODELS,
  EMBEDDING_MODELS,
  handleCompletions,
  handleEmbeddings,
  handleModels,
} from './other-routes.ts'

export interface DemoModelOptions {
  host?: string
  port?: number
  /** 1 = realistic delays, 0 = none (tests). */
  latencyScale?: number
  seed?: number
}

export interface DemoModel {
  /** Includes `/v1`, ready for an OpenAI client's `baseURL`. */
  baseUrl: string
  close(): Promise<void>
}

function checkModel(model: unknown, known: readonly string[]): void {
  if (typeof model === 'string' && !known.includes(model)) {
    throw new DemoHttpError(
      404,
      `The model \`${model}\` does not exist. The Leash demo model serves: ${known.join(', ')}.`,
      'invalid_request_error',
      'model_not_found',
      'model',
    )
  }
}

function modelOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: DemoContext): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? ''
  const method = req.method ?? 'GET'
  if (method === 'GET' && path === '/v1/models') return handleModels(res)
  if (method === 'POST' && path === '/v1/chat/completions') {
    const body = await readJson(req)
    checkModel(modelOf(body), CHAT_MODELS)
    return handleChat(req, res, body, ctx)
  }
  if (method === 'POST' && path === '/v1/completions') {
    const body = await readJson(req)
    checkModel(modelOf(body), CHAT_MODELS)
    return handleCompletions(res, body, ctx)
  }
  if (method === 'POST' && path === '/v1/embeddings') {
    const body = await readJson(req)
    checkModel(modelOf(body), EMBEDDING_MODELS)
    return handleEmbeddings(res, body, ctx)
  }
  throw new DemoHttpError(
    404,
    `Unknown request URL: ${method} ${path}.`,
    'invalid_request_error',
    'unknown_url',
  )
}

/** Starts Leash's built-in, clearly labelled demo model: an OpenAI-compatible server on loopback. */
export async function startDemoModel(opts: DemoModelOptions = {}): Promise<DemoModel> {
  const ctx: DemoContext = { seed: opts.seed ?? 0, latencyScale: opts.latencyScale ?? 1 }
  const server = createServer((req, res) => {
    route(req, res, ctx).catch((err: unknown) => {
      const known = err instanceof DemoHttpError
      sendError(res, known ? err : new DemoHttpError(500, 'The demo model failed to answer.', 'server_error'))
    })
  })
  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host
  return {
    baseUrl: `http://${urlHost}:${port}/v1`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
