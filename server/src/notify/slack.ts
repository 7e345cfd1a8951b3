import { type AlertNotice, labelText, truncate } from './notice.ts'

const EMOJI: Record<string, string> = {
  firing: ':rotating_light:',
  regressed: ':repeat:',
  renotify: ':bell:',
  worse: ':chart_with_upwards_trend:',
  ack_expired: ':bell:',
  acknowledged: ':eyes:',
  resolved: ':white_check_mark:',
  eval_error: ':warning:',
  test: ':wave:',
}

const fmt = (v: number | null) => (v === null ? 'n/a' : Number(v.toPrecision(4)).toString())

/**
 * Slack Block Kit message. Incoming webhooks cannot thread, so an update without a thread ts says it
 * is an update and names the original alert; with a bot token the sender adds `thread_ts` instead.
 */
export function slackMessage(n: AlertNotice, opts: { isUpdate: boolean; threadTs?: string }) {
  const where = labelText(n.labels)
  const title = `${n.event === 'resolved' ? 'Resolved' : n.event === 'eval_error' ? 'Evaluation error' : n.severity.toUpperCase()}: ${n.ruleName}${where ? ` (${where})` : ''}`
  const text = `${EMOJI[n.event] ?? ''} ${title}: ${n.summary}`.trim()
  const blocks: Array<Record<string, unknown>> = []
  if (opts.isUpdate && !opts.threadTs) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Update (${n.event}) to the alert started ${n.startsAt}: <${n.incidentUrl}|incident>`,
        },
      ],
    })
  }
  blocks.push(
    { type: 'header', text: { type: 'plain_text', text: truncate(title, 150), emoji: true } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`${EMOJI[n.event] ?? ''} ${n.error ?? n.summary}`, 2900) },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Value*\n${fmt(n.value)}` },
        { type: 'mrkdwn', text: `*Threshold*\n${fmt(n.threshold)}` },
        { type: 'mrkdwn', text: `*Baseline*\n${fmt(n.baseline)}` },
        {
          type: 'mrkdwn',
          text: `*95% CI*\n${n.interval ? `${fmt(n.interval[0])} – ${fmt(n.interval[1])}` : 'n/a'}`,
        },
        { type: 'mrkdwn', text: `*n / window*\n${n.n} / ${n.window}` },
        { type: 'mrkdwn', text: `*State*\n${n.previousState} → ${n.state}` },
      ],
    },
  )
  for (const ex of n.examples.slice(0, 2)) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `> ${truncate(ex.excerpt, 280)}\n_event ${ex.eventId}_` },
    })
  }
  const links = [`<${n.incidentUrl}|Open incident>`]
  if (n.runbookUrl) links.push(`<${n.runbookUrl}|Runbook>`)
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] })
  return { text, blocks, ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}) }
}
