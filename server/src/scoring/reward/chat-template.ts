import { Template } from '@huggingface/jinja'

/**
 * A model's chat template (Jinja, from `tokenizer_config.json` or `chat_template.jinja`) rendered with
 * @huggingface/jinja, as Python's `apply_chat_template(messages, tokenize=False)` does.
 */
export interface ChatMessage {
  role: string
  content: string
}

export type ChatRenderer = (messages: readonly ChatMessage[]) => string

const SPECIAL_KEYS = [
  'bos_token',
  'eos_token',
  'unk_token',
  'pad_token',
  'sep_token',
  'cls_token',
  'mask_token',
]

/** A special token as tokenizer_config writes it: a string or `{ content }`. */
export function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') {
    return (v as { content: string }).content
  }
  return null
}

/** The template source: a string, or the one named "default" in a list of named templates. */
function templateSource(raw: unknown): string | null {
  if (typeof raw === 'string') return raw
  if (!Array.isArray(raw)) return null
  for (const t of raw) {
    if (t && typeof t === 'object' && t.name === 'default' && typeof t.template === 'string')
      return t.template
  }
  return null
}

/** A renderer for the config's chat template, null when there is none; throws when it does not parse. */
export function chatRenderer(config: Record<string, unknown>): ChatRenderer | null {
  const source = templateSource(config.chat_template)
  if (source === null) return null
  const template = new Template(source)
  const specials: Record<string, string> = {}
  for (const key of SPECIAL_KEYS) {
    const text = tokenText(config[key])
    if (text !== null) specials[key] = text
  }
  return (messages) =>
    template.render({
      ...specials,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: false,
    })
}
