import fs from 'node:fs'
import path from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { clickHouseSource } from './alerts/clickhouse-source.ts'
import { DEFAULT_LIFECYCLE, type LifecycleConfig } from './alerts/lifecycle.ts'
import { startAlertScheduler } from './alerts/scheduler.ts'
import { createApi } from './api/app.ts'
import {
  type BootstrapResult,
  bindKeyHasher,
  bootstrap,
  createKeyHasher,
  createKeyResolver,
  loadServerSecret,
} from './auth/index.ts'
import type { Config } from './config.ts'
import {
  createClickHouse,
  describeClickHouse,
  insertExchanges,
  insertIngestHealth,
  insertScores,
  migrateClickHouse,
} from './db/clickhouse/index.ts'
import {
  openPostgres,
  type Postgres,
  type PostgresHealth,
  waitForPostgres,
  watchPostgres,
} from './db/postgres/index.ts'
import { startDemoModel } from './demo/model-server.ts'
import { createGateway } from './gateway/index.ts'
import { listen } from './http/server.ts'
import { createWebApp } from './http/web.ts'
import { createPipeline, type Pipeline } from './ingest/pipeline.ts'
import type { Logger } from './log.ts'
import { listenMetrics, metricsHandler } from './observe/endpoint.ts'
import { observeIngest } from './observe/metrics.ts'
import { createTraceReceiver } from './otlp/receiver.ts'
import { createSettingsCache } from './projects/settings.ts'
import { type ReferenceRunner, startReference } from './reference/index.ts'
import { createJudges } from './scoring/judge/index.ts'
import { createProjectScoring } from './scoring/project-scoring.ts'

export interface Leash {
  url: string
  upstream: { baseUrl: string; demo: boolean }
  bootstrap: BootstrapResult
  postgres: Postgres
  clickhouse: ClickHouseClient
  pipeline: Pipeline
  /** Reference-model comparisons (issue 19): counters, and `idle()` for tests. */
  reference: ReferenceRunner
  /** Stops accepting, lets calls in flight finish for up to `graceMs`, records them, closes the stores. */
  close(graceMs?: number): Promise<void>
}

const notFound = (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics is on LEASH_METRICS_PORT\n')
}

/** Opens both stores, applies migrations; used by `leash start` and `leash migrate`. */
export async function openStores(
  config: Config,
  log: Logger,
): Promise<{ pg: Postgres; ch: ClickHouseClient }> {
  fs.mkdirSync(config.dataDir, { recursive: true })
  const pg = await openPostgres({ url: config.databaseUrl, dataDir: config.dataDir })
  log('info', `postgres: ${pg.describe}`)
  await waitForPostgres({ ping: pg.ping, what: pg.describe, log })
  await pg.migrate()
  const chOpts = { url: config.clickhouseUrl, dataDir: config.dataDir }
  const ch = createClickHouse(chOpts)
  log('info', `clickhouse: ${describeClickHouse(chOpts)}`)
  try {
    await migrateClickHouse(ch, { log: (m) => log('info', m) })
  } catch (err) {
    await Promise.allSettled([ch.close(), pg.close()])
    throw err
  }
  return { pg, ch }
}

/** Starts the whole product in this process: stores, demo model if no upstream, gateway, API, dashboard. */
export async function startLeash(config: Config, log: Logger): Promise<Leash> {
  const { pg, ch } = await openStores(config, log)
  bindKeyHasher(pg.db, createKeyHasher(loadServerSecret(config.secret, config.dataDir)))
  if (pg.kind === 'postgres' && !config.secret)
    log('warn', 'LEASH_SECRET is not set: replicas sharing this PostgreSQL must set the same LEASH_SECRET')
  const boot = await bootstrap(pg.db, config.seed, config.dataDir)
  const health: PostgresHealth | null =
    pg.kind === 'postgres' ? watchPostgres({ ping: pg.ping, what: pg.describe, log }) : null
  const keys = createKeyResolver(pg.db, (m) => log('warn', m))
  await keys.warm()
  const settings = createSettingsCache(pg.db, { log })
  await settings.warm()

  const demo = config.upstreamUrl
    ? null
    : await startDemoModel({ host: '127.0.0.1', port: 0, latencyScale: 1 })
  const upstreamBase = config.upstreamUrl ?? (demo as { baseUrl: string }).baseUrl

  const scoring = await createProjectScoring({
    settingsFor: (projectId) => settings.get(projectId),
    log,
    pool: config.scoringWorkers === 0 ? false : { size: config.scoringWorkers },
  })
  const judges = createJudges({ settingsFor: (id) => settings.get(id), write: insertScores(ch), log })
  // Reference comparisons (issue 19) take exchanges once they are recorded and scored, off the hot path.
  const reference = startReference({
    ch,
    settings,
    upstream: { baseUrl: upstreamBase, apiKey: config.upstreamApiKey },
    log,
  })
  const pipeline = await createPipeline({
    writeExchanges: insertExchanges(ch),
    writeScores: insertScores(ch),
    writeHealth: insertIngestHealth(ch),
    score: reference.afterScoring(async (batch) => {
      const rows = await scoring.score(batch)
      judges.offer(batch) // LLM judges run in the background, off the ingest path
      return rows
    }),
    log,
    spoolDir: path.join(config.dataDir, 'spool'),
    retentionFor: (projectId) => settings.get(projectId).retentionDays,
    spoolMaxBytes: config.ingest.spoolMaxBytes,
    spoolSegmentBytes: config.ingest.spoolSegmentBytes,
    spoolFullPolicy: config.ingest.spoolFullPolicy,
    batchSize: config.ingest.batchRows,
    batchIntervalMs: config.ingest.batchMs,
  })
  const gateway = createGateway({
    upstream: { baseUrl: upstreamBase, apiKey: config.upstreamApiKey, name: demo ? 'demo' : 'default' },
    ...(config.anthropicUpstreamUrl
      ? {
          anthropic: {
            baseUrl: config.anthropicUpstreamUrl,
            apiKey: config.anthropicApiKey,
            name: 'anthropic',
          },
        }
      : {}),
    keys,
    sink: pipeline,
    settings,
    traces: createTraceReceiver({ sink: pipeline, settings, maxBytes: config.bodyLimitBytes, log }),
    env: process.env,
    bodyLimitBytes: config.bodyLimitBytes,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    log,
  })
  const alertConfig: LifecycleConfig = { ...DEFAULT_LIFECYCLE, publicUrl: config.alerts.publicUrl ?? '' }
  const api = createApi({
    db: pg.db,
    ch,
    log,
    secureCookies: false,
    publicUrl: config.alerts.publicUrl,
    trustProxy: config.trustProxy,
    settings,
    ingest: { status: () => ({ ...pipeline.status(), gateway: gateway.stats(), http: http.stats() }) },
    keys,
    exchanges: { sink: pipeline, settings },
    alerts: { config: alertConfig, pagerDutyUrl: config.alerts.pagerDutyUrl },
    reference: reference.runner,
    ...(health ? { postgres: health } : {}),
  })
  const http = await listen({
    host: config.host,
    port: config.port,
    gateway,
    web: createWebApp(api),
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxIdleConnections: config.maxIdleConnections,
    log,
    metrics: config.metrics?.port === undefined ? metricsHandler({ token: config.metrics?.token }) : notFound,
  })
  const stopMetrics = observeIngest(() => ({ ...pipeline.status(), gateway: gateway.stats() }))
  const metricsServer =
    config.metrics?.port === undefined
      ? null
      : await listenMetrics({ host: config.host, port: config.metrics.port })
  if (metricsServer) log('info', `metrics: ${metricsServer.url}/metrics (unauthenticated)`)
  alertConfig.publicUrl ||= http.url
  const alerts = config.alerts.enabled
    ? startAlertScheduler({
        db: pg.db,
        source: clickHouseSource(ch, pg.db),
        log,
        config: alertConfig,
        notify: { pagerDutyUrl: config.alerts.pagerDutyUrl },
        paused: () => (health && !health.up() ? `${health.what} is unreachable` : null),
      })
    : null

  return {
    url: http.url,
    upstream: { baseUrl: upstreamBase, demo: demo !== null },
    bootstrap: boot,
    postgres: pg,
    clickhouse: ch,
    pipeline,
    reference: reference.runner,
    async close(graceMs = 0) {
      await alerts?.stop()
      await metricsServer?.close()
      stopMetrics()
      await http.close(graceMs)
      await gateway.close()
      await pipeline.close()
      await reference.runner.close()
      await scoring.close()
      keys.close()
      settings.close()
      await demo?.close()
      health?.stop()
      await Promise.allSettled([ch.close(), pg.close()])
    },
  }
}
