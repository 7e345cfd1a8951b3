import fs from 'node:fs'
import path from 'node:path'

/**
 * Rows that ClickHouse refused on their own, twice, kept as JSON lines in `<spoolDir>/dead-letter.jsonl`
 * (one `{at, kind, error, row}` per line) so an operator can inspect and replay them.
 */
export class DeadLetter {
  readonly file: string
  count = 0

  constructor(spoolDir: string) {
    this.file = path.join(spoolDir, 'dead-letter.jsonl')
  }

  /** Appends the row; false when the file could not be written (the row is then only counted and logged). */
  put(kind: 'exchange' | 'score', row: unknown, error: string): boolean {
    this.count++
    const line = `${JSON.stringify({ at: new Date().toISOString(), kind, error, row })}\n`
    try {
      fs.appendFileSync(this.file, line)
      return true
    } catch {
      return false
    }
  }
}
