import { ConfigError, loadConfig } from '../config.ts'
import { openStores } from '../leash.ts'
import { createLogger } from '../log.ts'
import { demoCommand } from './demo.ts'
import { evalCommand } from './eval.ts'
import { findRunningInstance, usesEmbeddedStores } from './instance.ts'
import { reportCommand } from './report.ts'
import { scoreCommand } from './score.ts'
import { startCommand } from './start.ts'
import { trainCommand } from './train.ts'

const HELP = `leash <command>

  start                 start gateway, API, dashboard (and the demo model when LEASH_UPSTREAM_URL is unset)
  migrate               apply Postgres and ClickHouse migrations, then exit
  demo traffic [flags]  send realistic chat requests through a running Leash
                        --count N (300)  --concurrency N (8)  --base-url URL  --key PROJECT_KEY  --seed N
                        --scenario over-refusal|verbosity-hack|citation-decay|cost-spike|latency-regression
                        --shift-at 0.5 (default)  --recover-at 0.8 (default: no recovery)
                        (shares of the run; see docs/decisions/011-drift.md)
  report weekly [flags] weekly drift report: --project SLUG  --week 2026-W48  --baseline 2026-W40
                        --format md|html|json (md)  --out FILE
  score --in F --out F  score a JSONL file offline with every scorer (leash score --help)
  eval [<scorer>]       evaluate scorers on held-out public data; writes docs/scorer-card.md (leash eval --help)
  train <scorer>        retrain a shipped model (safety, grounding, reward) from public data (leash train --help)
  help                  this text

Environment: PORT, LEASH_DATA_DIR, LEASH_UPSTREAM_URL, LEASH_UPSTREAM_API_KEY, LEASH_PROJECT_KEY,
LEASH_ADMIN_TOKEN, LEASH_ADMIN_PASSWORD, DATABASE_URL, CLICKHOUSE_URL (see README.md).
`

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP)
    return
  }
  const config = loadConfig()
  const log = createLogger(config.logLevel)
  switch (command) {
    case 'start':
      return startCommand(config, log)
    case 'migrate': {
      const running = usesEmbeddedStores(config) ? findRunningInstance(config.dataDir) : null
      if (running) {
        process.stdout.write(
          `Leash is running at ${running.url} (pid ${running.pid}) on these stores and applied the migrations at start; nothing to do\n`,
        )
        return
      }
      const { pg, ch } = await openStores(config, log)
      await Promise.all([pg.close(), ch.close()])
      process.stdout.write('migrations applied\n')
      return
    }
    case 'demo':
      return demoCommand(config, rest)
    case 'score':
      return scoreCommand(rest)
    case 'eval':
      return evalCommand(rest)
    case 'train':
      return trainCommand(rest)
    case 'report':
      return reportCommand(config, log, rest)
    default:
      throw new Error(`unknown command '${command}'\n\n${HELP}`)
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  let message = err instanceof ConfigError || err instanceof Error ? err.message : String(err)
  if (/Cannot lock file|is already running/i.test(message)) {
    message =
      'the embedded stores in LEASH_DATA_DIR are held by a running Leash; stop it, or use the API ' +
      `(README, "API") while it runs. (${message.split('\n')[0]})`
  }
  process.stderr.write(`leash: ${message}\n`)
  process.exit(1)
})
