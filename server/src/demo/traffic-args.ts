export interface DemoTrafficArgs {
  count: number
  concurrency: number
  baseUrl?: string
  apiKey?: string
  seed?: number
}

const FLAGS = '--count, --concurrency, --base-url, --key, --seed'

function positiveInt(flag: string, value: string, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new Error(`${flag} must be a whole number from 1 to ${max}, got '${value}'`)
  }
  return n
}

/** Parses `leash demo traffic` flags (`--count 50` or `--count=50`); a bad flag throws a clear Error. */
export function parseDemoTrafficArgs(argv: string[]): DemoTrafficArgs {
  const out: DemoTrafficArgs = { count: 300, concurrency: 8 }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'; flags are ${FLAGS}`)
    const eq = arg.indexOf('=')
    const flag = eq >= 0 ? arg.slice(0, eq) : arg
    let value = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1]
    if (eq < 0) i++
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new Error(`${flag} needs a value`)
    }
    value = value.trim()
    switch (flag) {
      case '--count':
        out.count = positiveInt(flag, value, 1_000_000)
        break
      case '--concurrency':
        out.concurrency = positiveInt(flag, value, 256)
        break
      case '--base-url':
        if (!/^https?:\/\/[^\s/]+/.test(value))
          throw new Error(`--base-url must be an http(s) URL, got '${value}'`)
        out.baseUrl = value.replace(/\/+$/, '')
        break
      case '--key':
        out.apiKey = value
        break
      case '--seed':
        if (!/^-?\d+$/.test(value)) throw new Error(`--seed must be an integer, got '${value}'`)
        out.seed = Number(value)
        break
      default:
        throw new Error(`unknown flag '${flag}'; flags are ${FLAGS}`)
    }
  }
  return out
}
