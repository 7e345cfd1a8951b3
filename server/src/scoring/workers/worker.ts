import { parentPort, workerData } from 'node:worker_threads'
import type { Scorer } from '../scorer.ts'
import { loadBuiltinScorer } from './catalog.ts'
import type { FromWorker, ScorerOutcome, ToWorker, WorkerInit } from './protocol.ts'

/** One scoring thread: loads the built-in scorers once, then scores batches the pool sends. */
async function run(): Promise<void> {
  const port = parentPort
  if (!port) throw new Error('scorer worker must run in a worker thread')
  const post = (m: FromWorker) => port.postMessage(m)
  const init = workerData as WorkerInit
  // Each scorer loads on its own: one broken model must not take the others down with it.
  const scorers: Scorer[] = []
  const failed: { name: string; error: string }[] = []
  for (const name of init.scorers) {
    try {
      scorers.push(await loadBuiltinScorer(name))
    } catch (err) {
      failed.push({ name, error: (err as Error).message })
    }
  }
  if (scorers.length === 0) {
    post({ type: 'init_error', error: failed.map((f) => f.error).join('; ') })
    return
  }
  const byName = new Map(scorers.map((s) => [s.name, s]))
  port.on('message', async (msg: ToWorker) => {
    if (msg.type === 'crash') process.exit(3)
    if (msg.type !== 'score') return
    const outcomes: Record<string, ScorerOutcome> = {}
    for (const name of msg.names) {
      const s = byName.get(name)
      if (!s) {
        outcomes[name] = { ok: false, error: `no scorer '${name}' in this worker` }
        continue
      }
      try {
        outcomes[name] = { ok: true, results: await s.scoreBatch(msg.inputs) }
      } catch (err) {
        outcomes[name] = { ok: false, error: (err as Error)?.message ?? String(err) }
      }
    }
    post({ type: 'result', id: msg.id, outcomes })
  })
  post({ type: 'ready', scorers: scorers.map((s) => ({ name: s.name, version: s.version })), failed })
}

void run()
