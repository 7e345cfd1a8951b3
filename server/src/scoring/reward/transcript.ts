import type { ScoreInput, ScoreMessage } from '../scorer.ts'

/**
 * The Anthropic hh-rlhf transcript format: `"\n\nHuman: ...\n\nAssistant: ..."`. Reward models trained on
 * hh-rlhf (tiny-rm, the built-in model) read a conversation in this form.
 */
const TURN = /\n\n(Human|Assistant): ?/g

/** Splits a transcript into turns; returns null when the text is not in the transcript format. */
export function parseTranscript(text: string): ScoreMessage[] | null {
  const turns: ScoreMessage[] = []
  const marks = [...text.matchAll(TURN)]
  if (marks.length === 0 || (marks[0]?.index ?? -1) > 0) return null
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i] as RegExpExecArray
    const start = (m.index ?? 0) + m[0].length
    const end = i + 1 < marks.length ? ((marks[i + 1] as RegExpExecArray).index ?? text.length) : text.length
    turns.push({ role: m[1] === 'Human' ? 'user' : 'assistant', content: text.slice(start, end) })
  }
  return turns
}

/** Earlier turns plus the last user turn, as one transcript without the final assistant turn. */
export function renderTranscript(messages: readonly ScoreMessage[]): string {
  let out = ''
  for (const m of messages) {
    if (m.role === 'user') out += `\n\nHuman: ${m.content}`
    else if (m.role === 'assistant') out += `\n\nAssistant: ${m.content}`
  }
  return out
}

/** The conversation before the response: the messages when known, else the prompt as one user turn. */
export function contextMessages(input: Pick<ScoreInput, 'prompt' | 'messages'>): ScoreMessage[] {
  const turns = input.messages.filter((m) => m.role === 'user' || m.role === 'assistant')
  if (turns.length > 0) return turns
  return [{ role: 'user', content: input.prompt }]
}

/** `"\n\nHuman: <prompt>\n\nAssistant: <response>"` with earlier turns in the same form. */
export function toTranscript(input: Pick<ScoreInput, 'prompt' | 'messages' | 'response'>): string {
  return `${renderTranscript(contextMessages(input))}\n\nAssistant: ${input.response}`
}
