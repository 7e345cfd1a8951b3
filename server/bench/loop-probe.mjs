/**
 * Preloaded (`--import`) into the Leash process the gateway bench starts, so the process itself stays
 * exactly what ships: watches the main thread's event loop and answers `{cmd: 'loop'}` and
 * `{cmd: 'loop-reset'}` over the fork IPC channel with the delay since the last reset (ms). Plain
 * JavaScript: worker threads inherit the preload before any TypeScript loader is registered in them.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'

if (isMainThread && process.send) {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  process.on('message', (m) => {
    if (m?.cmd === 'loop-reset') {
      h.reset()
      process.send?.({ type: 'loop-reset' })
    }
    if (m?.cmd === 'loop')
      process.send?.({
        type: 'loop',
        p50: h.percentile(50) / 1e6,
        p99: h.percentile(99) / 1e6,
        max: h.max / 1e6,
      })
  })
  // The IPC channel must not keep alive a process that would otherwise exit.
  process.channel?.unref()
}
