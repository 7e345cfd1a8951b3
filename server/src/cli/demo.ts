import fs from 'node:fs'
import path from 'node:path'
import type { Config } from '../config.ts'
import { parseDemoTrafficArgs, runDemoTraffic } from './demo-traffic.ts'
import { findRunningInstance } from './instance.ts'
import { progressPrinter } from './progress.ts'

/** Finds the project key: --key, then LEASH_PROJECT_KEY, then the first-start credentials file. */
function findProjectKey(config: Config, flag: string | undefined): string {
  if (flag) return flag
  if (config.seed.projectKey) return config.seed.projectKey
  const file = path.join(config.dataDir, 'initial-credentials.json')
  try {
    const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as { projectKey?: string }
    if (creds.projectKey) return creds.projectKey
  } catch {
    // fall through to the error below
  }
  throw new Error(`no project key: pass --key, set LEASH_PROJECT_KEY, or start Leash once so ${file} exists`)
}

export async function demoCommand(config: Config, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv
  if (sub !== 'traffic') throw new Error(`unknown demo command '${sub ?? ''}'; try: leash demo traffic`)
  const args = parseDemoTrafficArgs(rest)
  // Accept the Leash root or the gateway URL (`.../v1`), as users paste either; without one, the
  // instance running on this data folder, whatever port it chose.
  const running = args.baseUrl ? null : findRunningInstance(config.dataDir)
  const baseUrl = (args.baseUrl ?? running?.url ?? `http://127.0.0.1:${config.port}`)
    .replace(/\/+$/, '')
    .replace(/\/v1$/, '')
  const apiKey = findProjectKey(config, args.apiKey)
  const progress = progressPrinter(`sending demo traffic to ${baseUrl}/v1`)
  const summary = await runDemoTraffic({
    baseUrl,
    apiKey,
    count: args.count,
    concurrency: args.concurrency,
    seed: args.seed,
    ...(args.scenario
      ? {
          scenario: args.scenario,
          shiftAt: args.shiftAt ?? 0.5,
          ...(args.recoverAt !== undefined ? { recoverAt: args.recoverAt } : {}),
        }
      : {}),
    onProgress: (done, total, failed) => progress.update(done, total, failed),
  })
  progress.done()
  const cats = Object.entries(summary.byCategory)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  process.stdout.write(
    `sent ${summary.sent}: ${summary.ok} ok, ${summary.failed} failed, ${summary.streamed} streamed, in ${(summary.elapsedMs / 1000).toFixed(1)} s\n` +
      `by category: ${cats}\n` +
      (args.scenario ? `scenario ${args.scenario}: on for ${summary.shifted} calls\n` : '') +
      `open ${baseUrl}/ to see them.\n`,
  )
  if (summary.ok === 0) throw new Error('no call succeeded: is Leash running and is the key right?')
}
