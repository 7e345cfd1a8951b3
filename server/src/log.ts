export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/** One-line logs on stderr: `time level msg {fields}`. Secrets never reach here by construction. */
export function createLogger(
  min: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[min]) return
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''
    write(`${new Date().toISOString()} ${level.padEnd(5)} ${msg}${extra}\n`)
  }
}
