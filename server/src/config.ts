import path from 'node:path'
import { z } from 'zod'

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional()

const optionalSecret = z
  .string()
  .transform((v) => (v === '' ? undefined : v))
  .optional()

export const LeashEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default('127.0.0.1'),
  LEASH_DATA_DIR: z.string().default('./.leash'),
  LEASH_UPSTREAM_URL: optionalUrl,
  LEASH_UPSTREAM_API_KEY: optionalSecret,
  LEASH_PROJECT_KEY: optionalSecret.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LEASH_ADMIN_TOKEN: optionalSecret.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LEASH_ADMIN_PASSWORD: optionalSecret.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
  LEASH_ADMIN_EMAIL: z.string().email().default('admin@leash.local'),
  LEASH_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  LEASH_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /** SIGTERM: time calls in flight (streams included) get to finish before connections are closed. */
  LEASH_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** Time a client gets to send its request headers, and its whole request (slow-loris guard). */
  LEASH_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  LEASH_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** Idle connections that never completed an authenticated request; past it the oldest are closed. */
  LEASH_MAX_IDLE_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(512),
  DATABASE_URL: optionalUrl,
  CLICKHOUSE_URL: optionalUrl,
  LEASH_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  LEASH_SPOOL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .default(2 * 1024 ** 3),
  LEASH_SPOOL_SEGMENT_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(64 * 1024 ** 2),
  LEASH_SPOOL_FULL_POLICY: z.enum(['drop_new', 'drop_oldest']).default('drop_new'),
  LEASH_INGEST_BATCH_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  LEASH_INGEST_BATCH_MS: z.coerce.number().int().min(1).max(600_000).default(1_000),
  /** Worker threads for the built-in scorers; 0 scores on the main thread; unset = cores - 1 (min 1). */
  LEASH_SCORING_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  LEASH_ALERTS_ENABLED: z.enum(['true', 'false', '1', '0']).default('true'),
  /** Base URL of the dashboard as on-call reaches it, for links in notifications. */
  LEASH_PUBLIC_URL: optionalUrl,
  LEASH_PAGERDUTY_URL: z.url().default('https://events.pagerduty.com/v2/enqueue'),
  /** Bearer token required on `/metrics` of the main port; unset = `/metrics` is open. */
  LEASH_METRICS_TOKEN: optionalSecret.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** Serve `/metrics` unauthenticated on this port only (not on the main port). */
  LEASH_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Anthropic-compatible upstream of `/v1/messages`, base URL without `/v1` (as the Anthropic SDK's baseURL). */
  LEASH_ANTHROPIC_UPSTREAM_URL: optionalUrl,
  LEASH_ANTHROPIC_API_KEY: z.string().min(1).optional(),
  /** Behind a reverse proxy: believe its X-Forwarded-Proto (Secure cookie) and X-Forwarded-For (login limit). */
  LEASH_TRUST_PROXY: z.enum(['true', 'false', '1', '0']).default('false'),
  /** Server secret keying the stored hashes of API keys and tokens; unset = `<data dir>/secret`. */
  LEASH_SECRET: optionalSecret.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
})

export interface Config {
  port: number
  host: string
  dataDir: string
  /** Upstream model endpoint; undefined means "serve the built-in demo model". */
  upstreamUrl: string | undefined
  upstreamApiKey: string | undefined
  /** Default upstream of `/v1/messages`; undefined = only project routes with Anthropic upstreams. */
  anthropicUpstreamUrl: string | undefined
  anthropicApiKey: string | undefined
  seed: { projectKey?: string; adminToken?: string; adminPassword?: string; adminEmail: string }
  /** LEASH_SECRET; undefined = generated once into `<dataDir>/secret`. */
  secret: string | undefined
  bodyLimitBytes: number
  upstreamTimeoutMs: number
  shutdownGraceMs: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  maxIdleConnections: number
  databaseUrl: string | undefined
  clickhouseUrl: string | undefined
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** Durable spool and ClickHouse batching (`<dataDir>/spool`). */
  ingest: {
    spoolMaxBytes: number
    spoolSegmentBytes: number
    spoolFullPolicy: 'drop_new' | 'drop_oldest'
    batchRows: number
    batchMs: number
  }
  /** Scoring worker threads: undefined = cores - 1 (min 1); 0 = on the main thread. */
  scoringWorkers: number | undefined
  /** Alert evaluator and notifications. */
  alerts: { enabled: boolean; publicUrl: string | undefined; pagerDutyUrl: string }
  /** Leash's own Prometheus metrics (`/metrics`). */
  metrics?: { token: string | undefined; port: number | undefined }
  trustProxy: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses the environment once at boot; a bad value stops the start with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = LeashEnv.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.LEASH_DATA_DIR),
    upstreamUrl: e.LEASH_UPSTREAM_URL?.replace(/\/+$/, ''),
    upstreamApiKey: e.LEASH_UPSTREAM_API_KEY,
    anthropicUpstreamUrl: e.LEASH_ANTHROPIC_UPSTREAM_URL?.replace(/\/+$/, ''),
    anthropicApiKey: e.LEASH_ANTHROPIC_API_KEY,
    seed: {
      projectKey: e.LEASH_PROJECT_KEY,
      adminToken: e.LEASH_ADMIN_TOKEN,
      adminPassword: e.LEASH_ADMIN_PASSWORD,
      adminEmail: e.LEASH_ADMIN_EMAIL,
    },
    secret: e.LEASH_SECRET,
    bodyLimitBytes: e.LEASH_BODY_LIMIT_BYTES,
    upstreamTimeoutMs: e.LEASH_UPSTREAM_TIMEOUT_MS,
    shutdownGraceMs: e.LEASH_SHUTDOWN_GRACE_MS,
    headersTimeoutMs: e.LEASH_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.LEASH_REQUEST_TIMEOUT_MS,
    maxIdleConnections: e.LEASH_MAX_IDLE_CONNECTIONS,
    databaseUrl: e.DATABASE_URL,
    clickhouseUrl: e.CLICKHOUSE_URL,
    logLevel: e.LEASH_LOG_LEVEL,
    ingest: {
      spoolMaxBytes: e.LEASH_SPOOL_MAX_BYTES,
      spoolSegmentBytes: e.LEASH_SPOOL_SEGMENT_BYTES,
      spoolFullPolicy: e.LEASH_SPOOL_FULL_POLICY,
      batchRows: e.LEASH_INGEST_BATCH_ROWS,
      batchMs: e.LEASH_INGEST_BATCH_MS,
    },
    scoringWorkers: e.LEASH_SCORING_WORKERS,
    alerts: {
      enabled: e.LEASH_ALERTS_ENABLED === 'true' || e.LEASH_ALERTS_ENABLED === '1',
      publicUrl: e.LEASH_PUBLIC_URL?.replace(/\/+$/, ''),
      pagerDutyUrl: e.LEASH_PAGERDUTY_URL,
    },
    metrics: { token: e.LEASH_METRICS_TOKEN, port: e.LEASH_METRICS_PORT },
    trustProxy: e.LEASH_TRUST_PROXY === 'true' || e.LEASH_TRUST_PROXY === '1',
  }
}
