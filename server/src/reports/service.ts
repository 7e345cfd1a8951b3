import type { ClickHouseClient } from '@clickhouse/client'
import type { ReportFormat } from '@leash/shared'
import { eq } from 'drizzle-orm'
import { type Db, projects } from '../db/postgres/index.ts'
import { referenceSection } from './reference-section.ts'
import { renderHtml } from './render-html.ts'
import { renderMarkdown } from './render-md.ts'
import { summaryLines } from './summary.ts'
import { lastCompleteWeek, parseIsoWeek } from './week.ts'
import { buildWeeklyReport, type WeeklyReport } from './weekly.ts'

export interface RenderedReport {
  contentType: string
  body: string
  report: WeeklyReport
}

/** Builds the weekly report of a project (default: the last complete ISO week) in the asked format. */
export async function weeklyReport({
  ctx: deps,
  input,
}: {
  ctx: { ch: ClickHouseClient; db: Db }
  input: { projectId: string; week?: string; baseline?: string; format: ReportFormat; now?: number }
}): Promise<RenderedReport> {
  const now = input.now ?? Date.now()
  const week = input.week ? parseIsoWeek(input.week) : lastCompleteWeek(now)
  const baseline = input.baseline ? parseIsoWeek(input.baseline) : undefined
  const [project] = await deps.db
    .select({ name: projects.name })
    .from(projects)
    .where(eq(projects.id, input.projectId))
    .limit(1)
  const built = await buildWeeklyReport(deps, {
    projectId: input.projectId,
    projectName: project?.name ?? input.projectId,
    week,
    ...(baseline ? { baseline } : {}),
    now,
  })
  const report = { ...built, summary: summaryLines(built) }
  const ref = await referenceSection(deps, { projectId: input.projectId, from: report.from, to: report.to })
  switch (input.format) {
    case 'md':
      return { contentType: 'text/markdown; charset=utf-8', body: ref.md(renderMarkdown(report)), report }
    case 'html':
      return { contentType: 'text/html; charset=utf-8', body: ref.html(renderHtml(report)), report }
    case 'json':
      return { contentType: 'application/json; charset=utf-8', body: ref.json(report), report }
  }
}
