import http from 'node:http'
import https from 'node:https'
import type { ProjectSettings, RouteSettings, UpstreamSettings } from '@leash/shared'

/** One place a call can be sent, resolved from config or a project's route; no secrets in logs. */
export interface Upstream {
  name: string
  client: typeof http | typeof https
  agent: http.Agent
  hostname: string
  port: number
  /** The `host` header for this origin (the port only when not the scheme's default). */
  hostHeader: string
  /** Path prefix of the OpenAI base URL, e.g. `/v1`. */
  basePath: string
  /** `Bearer <key>` for Leash-held keys; undefined sends no key (or the caller's, in pass-through). */
  authorization: string | undefined
  /** Header that carries the key: `authorization` (OpenAI) or `x-api-key` (Anthropic, the bare key). */
  authHeader: 'authorization' | 'x-api-key'
  /** Set when the route names an env var that is not set; the attempt fails unless the caller sent a key. */
  missingKeyEnv: string | undefined
  modelMap: Record<string, string> | null
  timeoutMs: number
}

export interface Route {
  name: string
  upstreams: Upstream[]
}

export const DEFAULT_ROUTE = 'default'
const FREE_SOCKET_TIMEOUT_MS = 4_000

/** Keep-alive agents, one per origin, shared by every route that points there. */
export class AgentPool {
  private agents = new Map<string, http.Agent>()

  get(url: URL): http.Agent {
    let agent = this.agents.get(url.origin)
    if (!agent) {
      // Idle sockets close after 4 s, before a typical upstream's 5 s keep-alive timeout can race us.
      const opts = {
        keepAlive: true,
        keepAliveMsecs: 1_000,
        maxSockets: 512,
        maxFreeSockets: 256,
        timeout: FREE_SOCKET_TIMEOUT_MS,
        scheduling: 'lifo' as const,
      }
      agent = url.protocol === 'https:' ? new https.Agent(opts) : new http.Agent(opts)
      this.agents.set(url.origin, agent)
    }
    return agent
  }

  destroy(): void {
    for (const a of this.agents.values()) a.destroy()
    this.agents.clear()
  }
}

export function makeUpstream(
  pool: AgentPool,
  opts: {
    name: string
    baseUrl: string
    apiKey: string | undefined
    missingKeyEnv?: string
    modelMap?: Record<string, string>
    timeoutMs: number
    /** Which API the upstream speaks; Anthropic takes its key as `x-api-key`. */
    api?: 'openai' | 'anthropic'
  },
): Upstream {
  const anthropic = opts.api === 'anthropic'
  const url = new URL(opts.baseUrl)
  const https_ = url.protocol === 'https:'
  return {
    name: opts.name,
    client: https_ ? https : http,
    agent: pool.get(url),
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : https_ ? 443 : 80,
    hostHeader: url.host,
    basePath: url.pathname.replace(/\/+$/, ''),
    authorization: opts.apiKey ? (anthropic ? opts.apiKey : `Bearer ${opts.apiKey}`) : undefined,
    authHeader: anthropic ? 'x-api-key' : 'authorization',
    missingKeyEnv: opts.missingKeyEnv,
    modelMap: opts.modelMap && Object.keys(opts.modelMap).length > 0 ? opts.modelMap : null,
    timeoutMs: opts.timeoutMs,
  }
}

/** `gpt-4o*` style globs: `*` matches any run of characters, everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${body}$`)
}

interface CompiledRoute {
  route: Route
  exact: Set<string>
  globs: RegExp[]
}

interface CompiledRoutes {
  routes: CompiledRoute[]
  byModel: Map<string, Route | null>
}

/**
 * Routes for one project's settings object, compiled once (settings objects are replaced, never
 * mutated, so identity is a safe cache key) and memoised per model name.
 */
export class RouteTable {
  private compiled = new WeakMap<ProjectSettings, CompiledRoutes>()

  constructor(
    private pool: AgentPool,
    private env: Record<string, string | undefined>,
    private defaultTimeoutMs: number,
  ) {}

  private upstream(u: UpstreamSettings): Upstream {
    const key = u.apiKeyEnv ? this.env[u.apiKeyEnv] : undefined
    return makeUpstream(this.pool, {
      name: u.name,
      baseUrl: u.baseUrl,
      apiKey: key || undefined,
      missingKeyEnv: u.apiKeyEnv && !key ? u.apiKeyEnv : undefined,
      modelMap: u.modelMap,
      timeoutMs: u.timeoutMs ?? this.defaultTimeoutMs,
      ...(u.api ? { api: u.api } : {}),
    })
  }

  private compile(settings: ProjectSettings): CompiledRoutes {
    const routes = settings.routes.map((r: RouteSettings) => ({
      route: { name: r.name, upstreams: r.upstreams.map((u) => this.upstream(u)) },
      exact: new Set(r.models.filter((m) => !m.includes('*'))),
      globs: r.models.filter((m) => m.includes('*')).map(globToRegExp),
    }))
    return { routes, byModel: new Map() }
  }

  /** The first route whose models match `model` (exact or glob), or null for the default upstream. */
  match(settings: ProjectSettings, model: string): Route | null {
    if (settings.routes.length === 0) return null
    let c = this.compiled.get(settings)
    if (!c) {
      c = this.compile(settings)
      this.compiled.set(settings, c)
    }
    const memo = c.byModel.get(model)
    if (memo !== undefined) return memo
    let found: Route | null = null
    for (const r of c.routes) {
      if (r.exact.has(model) || r.globs.some((g) => g.test(model))) {
        found = r.route
        break
      }
    }
    if (c.byModel.size < 1000) c.byModel.set(model, found)
    return found
  }
}
