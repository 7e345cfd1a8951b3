import type { Endpoint } from '../exchange/record.ts'
import { GatewayError } from './errors.ts'

const POST_ROUTES: Record<string, Endpoint> = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
  '/v1/responses': 'responses',
  '/v1/messages': 'messages',
}
/** OTLP/HTTP traces: handled by Leash itself, never forwarded. */
export const OTLP_TRACES_PATH = '/v1/traces'
/** One segment of a model id (`gpt-4o`, `ft:gpt-4o:org::id`, `meta-llama/Llama-3`): no dots-only, no escapes. */
const MODEL_SEGMENT = /^[A-Za-z0-9_:@+~-][A-Za-z0-9._:@+~-]*$/

export type Forward =
  | { kind: 'exchange'; endpoint: Endpoint; upstreamPath: string }
  | { kind: 'models'; upstreamPath: string }
  | { kind: 'otlp' }

/** `GET /v1/responses/<id>`: one plain id segment, passed through like the models list. */
function isResponsePath(path: string): boolean {
  if (!path.startsWith('/v1/responses/')) return false
  const rest = path.slice('/v1/responses/'.length)
  return MODEL_SEGMENT.test(rest) && !rest.includes(':')
}

function isModelsPath(path: string): boolean {
  if (path === '/v1/models') return true
  if (!path.startsWith('/v1/models/')) return false
  return path
    .slice('/v1/models/'.length)
    .split('/')
    .every((seg) => MODEL_SEGMENT.test(seg))
}

/**
 * The only paths forwarded with the upstream's key: the POST endpoints exactly, and
 * `/v1/models[/<id>]` and `/v1/responses/<id>` with plain id segments (so `..`, `%2e%2e` or `%2f` never reach the provider).
 * Anything else is a 404 (or 405) in OpenAI's shape.
 */
export function forwardFor(method: string | undefined, url: string): Forward {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  const upstreamPath = url.slice(3) // drop '/v1', keep the query string
  const endpoint = POST_ROUTES[path]
  // Anthropic base URLs stop before `/v1` (as the Anthropic SDK's baseURL does), so the path keeps it.
  if (endpoint && method === 'POST')
    return { kind: 'exchange', endpoint, upstreamPath: endpoint === 'messages' ? url : upstreamPath }
  if (path === OTLP_TRACES_PATH && method === 'POST') return { kind: 'otlp' }
  const models = isModelsPath(path) || isResponsePath(path)
  if (models && method === 'GET') return { kind: 'models', upstreamPath }
  const known = endpoint !== undefined || models || path === OTLP_TRACES_PATH
  throw new GatewayError(
    known ? 405 : 404,
    known
      ? `Method ${method} is not allowed on ${path}.`
      : `Unknown request URL: ${method} ${path}. Please check the URL for typos.`,
    'invalid_request_error',
    known ? 'method_not_allowed' : 'unknown_url',
  )
}
