// Runs every benchmark in turn (`npm run bench`); each writes JSON and a Markdown table to bench/results/.
import { spawnSync } from 'node:child_process'

const benches = ['bench:gateway', 'bench:ingest', 'bench:scoring']
let failed = 0
for (const name of benches) {
  process.stdout.write(`\n=== npm run ${name}\n`)
  const r = spawnSync('npm', ['run', '--silent', name], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.stdout.write(
  `\n${benches.length - failed} benchmarks ran, ${failed} failed; results in bench/results/\n`,
)
process.exit(failed ? 1 : 0)
