/** A one-line progress display: redrawn in place on a terminal, a line every 10% otherwise. */
export function progressPrinter(label: string, out: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1
  const started = Date.now()
  return {
    update(done: number, total: number, failed = 0) {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100
      const rate = done / Math.max((Date.now() - started) / 1000, 0.001)
      const line = `${label} ${done}/${total} (${pct}%) ${failed} failed, ${rate.toFixed(1)}/s`
      if (out.isTTY) {
        out.write(`\r${line}\x1b[K`)
      } else if (Math.floor(pct / 10) !== lastDecile) {
        lastDecile = Math.floor(pct / 10)
        out.write(`${line}\n`)
      }
    },
    done() {
      if (out.isTTY) out.write('\n')
    },
  }
}
