import fs from 'node:fs'
import { ReportFormat } from '@leash/shared'
import { eq } from 'drizzle-orm'
import type { Config } from '../config.ts'
import { projects } from '../db/postgres/index.ts'
import { openStores } from '../leash.ts'
import type { Logger } from '../log.ts'
import { weeklyReport } from '../reports/service.ts'
import {
  findRunningInstance,
  type RunningInstance,
  readInitialCredentials,
  usesEmbeddedStores,
} from './instance.ts'

export interface ReportArgs {
  project: string
  week?: string
  baseline?: string
  format: ReportFormat
  out?: string
}

const FLAGS = '--project SLUG, --week YYYY-Www, --baseline YYYY-Www, --format json|md|html, --out FILE'

export function parseReportArgs(argv: string[]): ReportArgs {
  const [sub, ...rest] = argv
  if (sub !== 'weekly')
    throw new Error(`unknown report '${sub ?? ''}'; try: leash report weekly --project SLUG`)
  const out: Partial<ReportArgs> = { format: 'md' }
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? ''
    const eq = arg.indexOf('=')
    const flag = eq >= 0 ? arg.slice(0, eq) : arg
    const value = eq >= 0 ? arg.slice(eq + 1) : rest[++i]
    if (!flag.startsWith('--')) throw new Error(`unexpected argument '${arg}'; flags are ${FLAGS}`)
    if (value === undefined || value === '') throw new Error(`${flag} needs a value`)
    switch (flag) {
      case '--project':
        out.project = value
        break
      case '--week':
      case '--baseline':
        if (!/^\d{4}-W\d{2}$/.test(value)) throw new Error(`${flag} must look like 2026-W48, got '${value}'`)
        if (flag === '--week') out.week = value
        else out.baseline = value
        break
      case '--format': {
        const f = ReportFormat.safeParse(value)
        if (!f.success) throw new Error(`--format must be json, md or html, got '${value}'`)
        out.format = f.data
        break
      }
      case '--out':
        out.out = value
        break
      default:
        throw new Error(`unknown flag '${flag}'; flags are ${FLAGS}`)
    }
  }
  if (!out.project) throw new Error('--project is required (the project slug)')
  return out as ReportArgs
}

/** `leash report weekly`: renders the weekly drift report to stdout or a file. */
export async function reportCommand(config: Config, log: Logger, argv: string[]): Promise<void> {
  const args = parseReportArgs(argv)
  // Embedded stores belong to the process that opened them: ask the running Leash instead.
  const running = usesEmbeddedStores(config) ? findRunningInstance(config.dataDir) : null
  const out = running ? await reportFromServer(config, running, args) : await reportFromStores(config, args)
  if (args.out) {
    fs.writeFileSync(args.out, out.body)
    log('info', `weekly report ${out.week} written to ${args.out}`)
    process.stdout.write(`wrote ${args.out}\n`)
  } else process.stdout.write(`${out.body}\n`)
}

interface RenderedReport {
  week: string
  body: string
}

async function reportFromStores(config: Config, args: ReportArgs): Promise<RenderedReport> {
  const { pg, ch } = await openStores(config, () => {})
  try {
    const [project] = await pg.db
      .select({ id: projects.id })
      .from(projects)
      .where(eq(projects.slug, args.project))
      .limit(1)
    if (!project) throw new Error(`no project with slug '${args.project}'`)
    const out = await weeklyReport({
      ctx: { ch, db: pg.db },
      input: {
        projectId: project.id,
        format: args.format,
        ...(args.week ? { week: args.week } : {}),
        ...(args.baseline ? { baseline: args.baseline } : {}),
      },
    })
    return { week: out.report.week, body: out.body }
  } finally {
    await Promise.allSettled([pg.close(), ch.close()])
  }
}

async function reportFromServer(
  config: Config,
  running: RunningInstance,
  args: ReportArgs,
): Promise<RenderedReport> {
  const token = config.seed.adminToken ?? readInitialCredentials(config.dataDir).adminToken
  if (!token) {
    throw new Error(
      `Leash is running at ${running.url} (pid ${running.pid}) and holds the embedded stores; ` +
        'set LEASH_ADMIN_TOKEN to an admin token so the report can be fetched from it, or stop it first',
    )
  }
  const query = new URLSearchParams({ project: args.project, format: args.format })
  if (args.week) query.set('week', args.week)
  if (args.baseline) query.set('baseline', args.baseline)
  const res = await fetch(`${running.url}/api/reports/weekly?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const text = await res.text()
  if (!res.ok) {
    let message = text.slice(0, 300)
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message
    } catch {
      // not JSON: keep the text
    }
    throw new Error(`the running Leash at ${running.url} answered ${res.status}: ${message}`)
  }
  const week = args.format === 'json' ? String((JSON.parse(text) as { week?: string }).week ?? '') : ''
  return { week: week || (args.week ?? 'last complete week'), body: text.replace(/\n$/, '') }
}
