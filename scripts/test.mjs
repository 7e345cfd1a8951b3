// Runs vitest, then prints one closing line `N passed, N failed, N skipped` that CI reads.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'

const out = '.vitest-results.json'
fs.rmSync(out, { force: true })
const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
)
let passed = 0
let failed = 0
let skipped = 0
try {
  const r = JSON.parse(fs.readFileSync(out, 'utf8'))
  passed = r.numPassedTests
  failed = r.numFailedTests + countFilesThatFailedWithoutATest(r)
  skipped = r.numPendingTests + (r.numTodoTests ?? 0)
} catch {
  failed = Math.max(failed, 1)
}
const status = run.status ?? 1
if (status !== 0 && failed === 0) failed = 1
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(status)

// A file that failed to load (or in a hook) has no failed test: count it once; the rest by their tests.
function countFilesThatFailedWithoutATest(r) {
  return (r.testResults ?? []).filter(
    (s) => s.status === 'failed' && !(s.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length
}
