/**
 * A Hugging Face `tokenizer.json` reader for BERT-style reward models: BertNormalizer, BertPreTokenizer,
 * WordPiece and TemplateProcessing, plus the truncation side from `tokenizer_config.json`. Anything else
 * in the file is refused with a clear error rather than tokenized differently from Python.
 */
export class TokenizerError extends Error {
  override name = 'TokenizerError'
}

interface AddedToken {
  id: number
  content: string
  single_word?: boolean
  lstrip?: boolean
  rstrip?: boolean
  normalized?: boolean
  special?: boolean
}

type TemplatePiece =
  | { SpecialToken: { id: string; type_id: number } }
  | { Sequence: { id: string; type_id: number } }

interface TokenizerJson {
  added_tokens?: AddedToken[]
  normalizer?: {
    type: string
    clean_text?: boolean
    handle_chinese_chars?: boolean
    strip_accents?: boolean | null
    lowercase?: boolean
  } | null
  pre_tokenizer?: { type: string } | null
  post_processor?: {
    type: string
    single?: TemplatePiece[]
    special_tokens?: Record<string, { id: string; ids: number[] }>
  } | null
  model?: {
    type: string
    unk_token?: string
    continuing_subword_prefix?: string
    max_input_chars_per_word?: number
    vocab?: Record<string, number>
  }
}

export interface TokenizerConfig {
  model_max_length?: number
  truncation_side?: 'left' | 'right'
  pad_token?: string
}

const CONTROL = /\p{C}/u
const WHITESPACE = /\s/u
const MARK = /\p{Mn}/u
const PUNCT = /\p{P}/u

function isWhitespace(c: string): boolean {
  return c === '\t' || c === '\n' || c === '\r' || c === ' ' || WHITESPACE.test(c)
}

function isControl(c: string): boolean {
  if (c === '\t' || c === '\n' || c === '\r') return false
  return CONTROL.test(c)
}

function isPunctuation(c: string): boolean {
  const cp = c.codePointAt(0) as number
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true
  return PUNCT.test(c)
}

function isChinese(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  )
}

export class WordPieceTokenizer {
  private readonly vocab: Map<string, number>
  private readonly unkId: number
  private readonly prefix: string
  private readonly maxChars: number
  private readonly norm: NonNullable<TokenizerJson['normalizer']> | null
  private readonly added: AddedToken[]
  private readonly before: number[]
  private readonly after: number[]
  readonly maxLength: number
  readonly truncationSide: 'left' | 'right'
  readonly padId: number

  constructor(json: TokenizerJson, config: TokenizerConfig = {}) {
    const model = json.model
    if (model?.type !== 'WordPiece' || !model.vocab) {
      throw new TokenizerError(
        `unsupported tokenizer model '${model?.type ?? 'none'}' (only WordPiece is supported)`,
      )
    }
    const norm = json.normalizer ?? null
    if (norm && norm.type !== 'BertNormalizer') {
      throw new TokenizerError(`unsupported normalizer '${norm.type}' (only BertNormalizer is supported)`)
    }
    const pre = json.pre_tokenizer
    if (pre?.type !== 'BertPreTokenizer') {
      throw new TokenizerError(
        `unsupported pre_tokenizer '${pre?.type ?? 'none'}' (only BertPreTokenizer is supported)`,
      )
    }
    this.vocab = new Map(Object.entries(model.vocab))
    const unk = model.unk_token ?? '[UNK]'
    const unkId = this.vocab.get(unk)
    if (unkId === undefined) throw new TokenizerError(`unk_token '${unk}' is not in the vocabulary`)
    this.unkId = unkId
    this.prefix = model.continuing_subword_prefix ?? '##'
    this.maxChars = model.max_input_chars_per_word ?? 100
    this.norm = norm
    this.added = (json.added_tokens ?? []).slice().sort((a, b) => b.content.length - a.content.length)
    for (const t of this.added) {
      if (t.single_word || t.normalized) {
        throw new TokenizerError(
          `unsupported added token options on '${t.content}' (single_word / normalized)`,
        )
      }
    }
    const { before, after } = this.template(json)
    this.before = before
    this.after = after
    this.maxLength = config.model_max_length && config.model_max_length < 1e6 ? config.model_max_length : 512
    this.truncationSide = config.truncation_side ?? 'right'
    const pad = config.pad_token ?? '[PAD]'
    this.padId = this.vocab.get(pad) ?? 0
  }

  private template(json: TokenizerJson): { before: number[]; after: number[] } {
    const post = json.post_processor
    if (!post) return { before: [], after: [] }
    if (post.type !== 'TemplateProcessing' || !post.single) {
      throw new TokenizerError(
        `unsupported post_processor '${post.type}' (only TemplateProcessing is supported)`,
      )
    }
    const before: number[] = []
    const after: number[] = []
    let seen = false
    for (const piece of post.single) {
      if ('Sequence' in piece) {
        if (seen)
          throw new TokenizerError('unsupported template: more than one sequence in the single template')
        seen = true
        continue
      }
      const special = post.special_tokens?.[piece.SpecialToken.id]
      if (!special)
        throw new TokenizerError(`template special token '${piece.SpecialToken.id}' is not defined`)
      ;(seen ? after : before).push(...special.ids)
    }
    if (!seen) throw new TokenizerError('unsupported template: no sequence in the single template')
    return { before, after }
  }

  /** BertNormalizer: clean text, space around CJK characters, strip accents, lowercase. */
  normalize(text: string): string {
    const n = this.norm
    if (!n) return text
    let out = ''
    for (const c of text) {
      const cp = c.codePointAt(0) as number
      if (n.clean_text !== false) {
        if (cp === 0 || cp === 0xfffd || isControl(c)) continue
        if (isWhitespace(c)) {
          out += ' '
          continue
        }
      }
      if (n.handle_chinese_chars !== false && isChinese(cp)) out += ` ${c} `
      else out += c
    }
    const lowercase = n.lowercase !== false
    const strip = n.strip_accents ?? lowercase
    if (strip) {
      let s = ''
      for (const c of out.normalize('NFD')) if (!MARK.test(c)) s += c
      out = s
    }
    if (lowercase) {
      let s = ''
      for (const c of out) s += c.toLowerCase()
      out = s
    }
    return out
  }

  /** BertPreTokenizer: split on whitespace, then isolate every punctuation character. */
  preTokenize(text: string): string[] {
    const words: string[] = []
    let cur = ''
    for (const c of text) {
      if (isWhitespace(c)) {
        if (cur) words.push(cur)
        cur = ''
      } else if (isPunctuation(c)) {
        if (cur) words.push(cur)
        words.push(c)
        cur = ''
      } else cur += c
    }
    if (cur) words.push(cur)
    return words
  }

  /** WordPiece: greedy longest match, continuation pieces prefixed; an unsplittable word becomes [UNK]. */
  wordPiece(word: string, out: number[]): void {
    const chars = Array.from(word)
    if (chars.length > this.maxChars) {
      out.push(this.unkId)
      return
    }
    const pieces: number[] = []
    let start = 0
    while (start < chars.length) {
      let end = chars.length
      let found = -1
      while (start < end) {
        let sub = chars.slice(start, end).join('')
        if (start > 0) sub = this.prefix + sub
        const id = this.vocab.get(sub)
        if (id !== undefined) {
          found = id
          break
        }
        end--
      }
      if (found < 0) {
        out.push(this.unkId)
        return
      }
      pieces.push(found)
      start = end
    }
    out.push(...pieces)
  }

  /** Token ids of the text without special tokens; added tokens written literally in the text are kept whole. */
  encodeBody(text: string): number[] {
    const ids: number[] = []
    let rest = text
    while (rest.length > 0) {
      let at = -1
      let token: AddedToken | null = null
      for (const t of this.added) {
        const i = rest.indexOf(t.content)
        if (i >= 0 && (at < 0 || i < at)) {
          at = i
          token = t
        }
      }
      const chunk = token ? rest.slice(0, at) : rest
      let body = chunk
      if (token?.lstrip) body = body.trimEnd()
      for (const w of this.preTokenize(this.normalize(body))) this.wordPiece(w, ids)
      if (!token) break
      ids.push(token.id)
      rest = rest.slice(at + token.content.length)
      if (token.rstrip) rest = rest.trimStart()
    }
    return ids
  }

  /** Full encoding with the template's special tokens, truncated to `maxLength` on the configured side. */
  encode(text: string, maxLength = this.maxLength): number[] {
    const body = this.encodeBody(text)
    const room = Math.max(maxLength - this.before.length - this.after.length, 0)
    const kept =
      body.length <= room
        ? body
        : this.truncationSide === 'left'
          ? body.slice(body.length - room)
          : body.slice(0, room)
    return [...this.before, ...kept, ...this.after]
  }
}
