import type { Endpoint } from '../exchange/record.ts'
import { GatewayError } from './errors.ts'

const POST_ROUTES: Record<string, Endpoint> = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
}
/** One segment of a model id (`gpt-4o`, `ft:gpt-4o:org::id`, `meta-llama/Llama-3`): no dots-only, no escapes. */
const MODEL_SEGMENT = /^[A-Za-z0-9_:@+~-][A-Za-z0-9._:@+~-]*$/

export type Forward =
  | { kind: 'exchange'; endpoint: Endpoint; upstreamPath: string }
  | { kind: 'models'; upstreamPath: string }

function isModelsPath(path: string): boolean {
  if (path === '/v1/models') return true
  if (!path.startsWith('/v1/models/')) return false
  return path
    .slice('/v1/models/'.length)
    .split('/')
    .every((seg) => MODEL_SEGMENT.test(seg))
}

/**
 * The only paths forwarded with the upstream's key: the three POST endpoints exactly, and
 * `/v1/models[/<id>]` with plain id segments (so `..`, `%2e%2e` or `%2f` never reach the provider).
 * Anything else is a 404 (or 405) in OpenAI's shape.
 */
export function forwardFor(method: string | undefined, url: string): Forward {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  const upstreamPath = url.slice(3) // drop '/v1', keep the query string
  const endpoint = POST_ROUTES[path]
  if (endpoint && method === 'POST') return { kind: 'exchange', endpoint, upstreamPath }
  const models = isModelsPath(path)
  if (models && method === 'GET') return { kind: 'models', upstreamPath }
  const known = endpoint !== undefined || models
  throw new GatewayError(
    known ? 405 : 404,
    known
      ? `Method ${method} is not allowed on ${path}.`
      : `Unknown request URL: ${method} ${path}. Please check the URL for typos.`,
    'invalid_request_error',
    known ? 'method_not_allowed' : 'unknown_url',
  )
}
