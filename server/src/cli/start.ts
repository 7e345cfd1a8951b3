import path from 'node:path'
import type { Config } from '../config.ts'
import { startLeash } from '../leash.ts'
import type { Logger } from '../log.ts'
import { readInitialCredentials, removeInstanceFile, shellArg, writeInstanceFile } from './instance.ts'

const DEFAULT_URL = 'http://127.0.0.1:8787'

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

export async function startCommand(config: Config, log: Logger): Promise<void> {
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

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log('info', `${signal}: shutting down (flushing recorded exchanges)`)
    const force = setTimeout(() => process.exit(1), 15_000)
    force.unref()
    removeInstanceFile(config.dataDir)
    await leash.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}
