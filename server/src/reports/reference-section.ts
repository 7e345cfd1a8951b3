import type { ClickHouseClient } from '@clickhouse/client'
import type { LeashView } from '@leash/shared'
import { leashView } from '../reference/service.ts'
import { escapeHtml } from './render-html.ts'

/**
 * The weekly report's "Leash" section (issue 19): how far each model drifted from its reference this
 * week. Self-contained: it reads its own data and appends itself to the rendered report in each format,
 * so the report's own structure does not need to know about it. Absent when no comparison ran.
 */
export interface ReferenceSection {
  md(body: string): string
  html(body: string): string
  json(report: object): string
  view: LeashView | null
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–')
const ci = (e: { value: number; lo: number; hi: number }) => `${f(e.value)} [${f(e.lo)}, ${f(e.hi)}]`

function lines(v: LeashView): string[] {
  const out: string[] = []
  const budget = v.reference?.klBudget ?? null
  out.push(
    `Model \`${v.model}\` against reference \`${v.models[0]?.referenceModel ?? v.reference?.model ?? '?'}\`.`,
  )
  if (v.kl) {
    const over = budget !== null && v.kl.mean.lo > budget
    out.push(
      `KL(policy || reference), k3 per response (nats): mean ${ci(v.kl.mean)}, trimmed mean ${ci(v.kl.trimmedMean)}, p95 ${ci(v.kl.p95)}; n = ${v.kl.n}` +
        (budget !== null ? `; budget ${budget}${over ? ' (**above budget**, lower 95% bound)' : ''}` : '') +
        '.',
    )
    const tokens = v.topTokens
      .slice(0, 5)
      .map((t) => `\`${JSON.stringify(t.token).slice(1, -1)}\` (${t.count}x, ${f(t.meanTerm)})`)
      .join(', ')
    if (tokens) out.push(`Tokens that moved most: ${tokens}.`)
  }
  if (v.paired) {
    out.push(
      `Paired with the reference on ${v.paired.n} prompts: refusal delta ${ci(v.paired.refusalDelta)}, reward delta ${ci(v.paired.rewardDelta)}, length ratio ${ci(v.paired.lengthRatio)}; reward sign test ${v.paired.rewardSign.positive}+/${v.paired.rewardSign.negative}-, p = ${v.paired.rewardSign.p.toPrecision(2)}.`,
    )
  }
  if (v.counters) {
    const c = v.counters
    out.push(
      `Samples since start: ${c.compared} compared, ${c.failed} failed, ${c.delayed} delayed, dropped ${c.droppedBudget} over budget, ${c.droppedQueueFull} queue full, ${c.droppedTokenization} tokenization mismatch; ${c.writeFailed} lost on write.`,
    )
  }
  return out
}

export async function referenceSection(
  deps: { ch: ClickHouseClient },
  input: { projectId: string; from: number; to: number },
): Promise<ReferenceSection> {
  let view: LeashView | null = null
  try {
    const v = await leashView({
      ctx: { ch: deps.ch },
      input: { projectId: input.projectId, fromMs: input.from, toMs: input.to },
    })
    view = v.model ? v : null
  } catch {
    // A report never fails for its optional section; the table may not exist on an old store.
    view = null
  }
  return {
    view,
    md: (body) =>
      view
        ? `${body.trimEnd()}\n\n## Leash: drift from the reference model\n\n${lines(view).join('\n\n')}\n`
        : body,
    html: (body) =>
      view
        ? body.replace(
            /<\/body>/i,
            `<h2>Leash: drift from the reference model</h2>${lines(view)
              .map(
                (l) =>
                  `<p>${escapeHtml(l)
                    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
                    .replace(/`([^`]*)`/g, '<code>$1</code>')}</p>`,
              )
              .join('')}</body>`,
          )
        : body,
    json: (report) => JSON.stringify(view ? { ...report, reference: view } : report, null, 2),
  }
}
