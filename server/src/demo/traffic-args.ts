import { DEMO_SCENARIOS, type DemoScenario, isDemoScenario } from './scenario.ts'

export interface DemoTrafficArgs {
  count: number
  concurrency: number
  baseUrl?: string
  apiKey?: string
  seed?: number
  /** Behaviour shift to switch on partway through the run. */
  scenario?: DemoScenario
  /** Share of the run (0..1) after which the scenario is on; default 0.5. */
  shiftAt?: number
  /** Share of the run (0..1) after which behaviour returns to normal; default never. */
  recoverAt?: number
}

const FLAGS = '--count, --concurrency, --base-url, --key, --seed, --scenario, --shift-at, --recover-at'

function fraction(flag: string, value: string): number {
  const n = Number(value)
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(value) || !(n >= 0 && n <= 1))
    throw new Error(`${flag} must be a share of the run between 0 and 1, got '${value}'`)
  return n
}

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
      case '--scenario':
        if (!isDemoScenario(value))
          throw new Error(`--scenario must be one of ${DEMO_SCENARIOS.join(', ')}, got '${value}'`)
        out.scenario = value
        break
      case '--shift-at':
        out.shiftAt = fraction(flag, value)
        break
      case '--recover-at':
        out.recoverAt = fraction(flag, value)
        break
      default:
        throw new Error(`unknown flag '${flag}'; flags are ${FLAGS}`)
    }
  }
  if ((out.shiftAt !== undefined || out.recoverAt !== undefined) && !out.scenario)
    throw new Error('--shift-at and --recover-at need --scenario')
  if (out.recoverAt !== undefined && out.recoverAt <= (out.shiftAt ?? 0.5))
    throw new Error('--recover-at must be after --shift-at')
  return out
}
