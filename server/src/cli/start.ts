import path from 'node:path'
import type { Config } from '../config.ts'
import { startLeash } from '../leash.ts'
import type { Logger } from '../log.ts'
import { readInitialCredentials, removeInstanceFile, shellArg, writeInstanceFile } from './instance.ts'

const DEFAULT_URL = 'http://127.0.0.1:8787'
/** A signal this long after the first one ends the process at once; earlier ones are the same signal. */
const SECOND_SIGNAL_AFTER_MS = 1_000

/**
 * The demo-traffic command that reaches this instance from a second terminal in the repo root,
 * where PORT and LEASH_DATA_DIR have their defaults unless the user exports them again.
 */
export function demoTrafficHint(config: Config, url: string): string {
  const parts: string[] = []
  if (config.dataDir !== path.resolve('.leash')) parts.push(`LEASH_DATA_DIR=${shellArg(config.dataDir)}`)
  parts.push('npm run leash -- demo traffic')
  if (url !== DEFAULT_URL) parts.push(`--base-url ${url}`)
  if (!readInitialCredentials(config.dataDir).projectKey) {
    parts.push(config.seed.projectKey ? '--key "$LEASH_PROJECT_KEY"' : '--key <your project key>')
  }
  return parts.join(' ')
}

/**
 * postgres.js 3.4.9 can throw from a timer when a connection closes with a small write pending
 * (porsager/postgres#1154, #1208; unfixed upstream). That one is logged and survived, so a PostgreSQL
 * outage never takes the gateway down; anything else uncaught still ends the process.
 */
export function survivePostgresDriverBug(log: Logger): void {
  process.on('uncaughtException', (err) => {
    const stack = err instanceof Error ? (err.stack ?? '') : ''
    if (
      err instanceof TypeError &&
      stack.includes('nextWrite') &&
      stack.includes('postgres/src/connection')
    ) {
      log(
        'error',
        'postgres driver: write on a closed connection (known driver bug); the query fails, Leash goes on',
        {
          error: err.message,
        },
      )
      return
    }
    log('error', 'uncaught exception; exiting', { error: stack || String(err) })
    process.exit(1)
  })
}

export async function startCommand(config: Config, log: Logger): Promise<void> {
  if (config.databaseUrl) survivePostgresDriverBug(log)
  const leash = await startLeash(config, log)
  const lines = [
    '',
    `  Leash is up at ${leash.url}`,
    `    dashboard   ${leash.url}/`,
    `    gateway     ${leash.url}/v1   (OpenAI-compatible: use it as your client's baseURL)`,
    `    api         ${leash.url}/api`,
    leash.upstream.demo
      ? `    upstream    DEMO MODEL at ${leash.upstream.baseUrl} (no LEASH_UPSTREAM_URL set; answers are synthetic)`
      : `    upstream    ${leash.upstream.baseUrl}`,
    `    data        ${config.dataDir}`,
  ]
  const created = leash.bootstrap.created
  if (created) {
    lines.push(
      '',
      '  First start: an admin account and a project key were created. They are shown only this once and',
      `  saved to ${path.join(config.dataDir, 'initial-credentials.json')} (mode 0600):`,
      `    dashboard login   ${created.email} / ${created.password}`,
      `    admin token       ${created.adminToken}   (Authorization: Bearer, for /api)`,
      `    project key       ${created.projectKey}   (your OpenAI client's apiKey)`,
    )
  }
  lines.push('', `  Send demo traffic:  ${demoTrafficHint(config, leash.url)}`, '')
  process.stdout.write(`${lines.join('\n')}\n`)
  writeInstanceFile(config.dataDir, { url: leash.url, pid: process.pid, startedAt: new Date().toISOString() })

  let stoppingSince = 0
  const stop = async (signal: string) => {
    if (stoppingSince > 0) {
      // One Ctrl-C can arrive more than once (the process group, then npm and tsx relaying it).
      if (Date.now() - stoppingSince < SECOND_SIGNAL_AFTER_MS) return
      log('warn', `${signal} again: exiting at once`)
      process.exit(1)
    }
    stoppingSince = Date.now()
    log(
      'info',
      `${signal}: shutting down; calls in flight get up to ${config.shutdownGraceMs} ms, then the spool is flushed (send the signal again to exit at once)`,
    )
    // Past the grace, the pipeline gets its own 10 s to deliver and 5 s to close the files.
    const force = setTimeout(() => {
      log('error', 'shutdown took too long; exiting')
      process.exit(1)
    }, config.shutdownGraceMs + 20_000)
    force.unref()
    removeInstanceFile(config.dataDir)
    await leash.close(config.shutdownGraceMs)
    log('info', 'shut down cleanly')
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}
