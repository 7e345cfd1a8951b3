import { existsSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { wilsonCi } from './bootstrap.js'
import { card, currentCommit, textTable, verdict } from './card.js'
import { cardJson } from './card-json.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const EVAL_HELP = `leash eval [<scorer>] [--data DIR] [--card FILE]
  Evaluates the shipped scorers (safety, reward, grounding; all when none is named) on held-out splits of
  the public data (trains nothing) and prints one table. With no scorer named it also writes
  docs/scorer-card.md. --data defaults to ../shared/data next to the repository.
`
/** Each family's evaluator, imported lazily so one failing family never hides the others. */
const EVALUATORS = [
  { family: 'safety', load: async () => (await import('./safety/eval.js')).evaluateSafety },
  { family: 'reward', load: async () => (await import('./reward/eval.js')).evaluateReward },
  { family: 'grounding', load: async () => (await import('./grounding/eval.js')).evaluateGrounding },
]
export async function evalCommand(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(EVAL_HELP)
    return
  }
  const flag = (name) => {
    const i = argv.indexOf(name)
    if (i < 0) return undefined
    const v = argv[i + 1]
    if (!v || v.startsWith('--')) throw new Error(`${name} needs a value\n\n${EVAL_HELP}`)
    return v
  }
  const dataDir = resolve(flag('--data') ?? join(ROOT, '../shared/data'))
  if (!existsSync(dataDir)) throw new Error(`data folder not found: ${dataDir} (pass --data DIR)`)
  const cardPath = resolve(flag('--card') ?? join(ROOT, 'docs/scorer-card.md'))
  const named = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'))
  const chosen = named ? EVALUATORS.filter((e) => e.family === named) : EVALUATORS
  if (chosen.length === 0)
    throw new Error(
      `unknown scorer '${named}' (${EVALUATORS.map((e) => e.family).join(', ')})\n\n${EVAL_HELP}`,
    )
  const rows = []
  const failures = []
  for (const e of chosen) {
    const started = Date.now()
    try {
      const evaluate = await e.load()
      rows.push(...(await evaluate(dataDir)))
      process.stderr.write(`eval: ${e.family} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
    } catch (err) {
      const message = `${e.family}: ${err.message}`
      failures.push(message)
      process.stderr.write(`eval: ${message}\n`)
    }
  }
  // Proportions without an interval of their own get Wilson's (rate and accuracy lines).
  for (const r of rows)
    if (!r.ci && /rate$|accuracy$/.test(r.measure) && r.value >= 0 && r.value <= 1)
      r.ci = wilsonCi(r.value, r.rows)
  process.stdout.write(textTable(rows))
  const command = `npm run leash -- eval${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`
  // A partial run must not overwrite the whole card with a subset of its rows.
  if (!named || flag('--card')) {
    writeFileSync(cardPath, card(rows, failures, command, ROOT))
    // The machine-readable bar status ships with the weights, so the dashboard can label a weak scorer.
    const json = cardJson(rows, command, currentCommit(ROOT))
    writeFileSync(join(ROOT, 'server/models/card.json'), `${JSON.stringify(json, null, 2)}\n`)
  }
  const failed = rows.filter((r) => verdict(r) === 'FAIL').length
  process.stdout.write(
    `\n${rows.length} results, ${rows.length - failed} without a missed bar, ${failed} below their bar${named && !flag('--card') ? ' (card not rewritten for one scorer)' : `; card: ${cardPath}`}\n`,
  )
  if (failures.length > 0) throw new Error(`${failures.length} scorer families could not be evaluated`)
}
