import fs from 'node:fs/promises'
import path from 'node:path'
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers'
import { type ChatMessage, type ChatRenderer, chatRenderer, tokenText } from './chat-template.ts'

/**
 * Reads a Hugging Face `tokenizer.json` (WordPiece, BPE incl. byte-level, Unigram) with @huggingface/tokenizers
 * and adds what that library leaves out: truncation that keeps the response, pair encoding with type ids, chat
 * templates, and refusal of the few settings it would silently tokenize differently from Python.
 */
export class TokenizerError extends Error {
  override name = 'TokenizerError'
}

export const TOKENIZER_MODELS = ['BPE', 'Unigram', 'WordPiece'] as const
export type TokenizerModelType = (typeof TOKENIZER_MODELS)[number]

/** The fields of `tokenizer_config.json` read here; the rest is handed to the library as is. */
export interface TokenizerConfig {
  model_max_length?: number
  pad_token?: string | { content: string } | null
  chat_template?: unknown
  [key: string]: unknown
}

export interface Encoding {
  ids: number[]
  /** 0 for the first sequence and its special tokens, 1 for the second (as the post-processor says). */
  typeIds: number[]
}

export interface Tokenizer {
  readonly model: TokenizerModelType
  /** `model_max_length` of tokenizer_config.json (or tokenizer.json's truncation), null when neither gives one. */
  readonly maxLength: number | null
  /** Id of tokenizer_config's `pad_token`, null when it has none. */
  readonly padId: number | null
  /**
   * One text, or a pair (prompt, response) joined by the post-processor, at most `maxLength` ids. Too long:
   * the first text loses its beginning, then the second its end, so the response is scored, not dropped.
   */
  encode(text: string, pair?: string | null, maxLength?: number): Encoding
  /** Whether tokenizer_config.json (or chat_template.jinja) has a chat template. */
  readonly hasChatTemplate: boolean
  /**
   * The conversation through the chat template, tokenized as `apply_chat_template` does (the template writes
   * its own special tokens). Too long: cut from the front, keeping a leading special token such as BOS.
   */
  encodeChat(messages: readonly ChatMessage[], maxLength?: number): Encoding
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

// The library reproduces these split behaviours as 'Isolated' and groups punctuation runs ("!!"), where
// the Rust tokenizers split differently; refusing beats scoring with ids the model never saw.
const SPLIT_BEHAVIOURS = new Set(['Isolated', 'Removed'])

function checkPreTokenizer(pre: unknown): void {
  if (!isObject(pre)) return
  if (pre.type === 'Sequence' && Array.isArray(pre.pretokenizers)) {
    for (const p of pre.pretokenizers) checkPreTokenizer(p)
  } else if (pre.type === 'Punctuation') {
    throw new TokenizerError(`unsupported pre_tokenizer 'Punctuation' (grouped differently from Python)`)
  } else if (pre.type === 'Split' && !SPLIT_BEHAVIOURS.has(String(pre.behavior ?? 'Isolated'))) {
    throw new TokenizerError(`unsupported pre_tokenizer 'Split' with behavior '${String(pre.behavior)}'`)
  }
}

function checkModel(json: Json): TokenizerModelType {
  const model = json.model
  if (!isObject(model)) throw new TokenizerError('no model in tokenizer.json')
  const type = String(model.type ?? 'none')
  // Unknown types with a vocab would otherwise load as the library's 'Legacy' model, silently.
  if (!(TOKENIZER_MODELS as readonly string[]).includes(type)) {
    throw new TokenizerError(
      `unsupported tokenizer model '${type}' (supported: ${TOKENIZER_MODELS.join(', ')})`,
    )
  }
  return type as TokenizerModelType
}

function limit(n: unknown): number | null {
  // transformers writes 1e30 as "no limit".
  return typeof n === 'number' && n > 0 && n < 1e9 ? n : null
}

const fill = (n: number, v: number): number[] => new Array<number>(n).fill(v)

/** A tokenizer from the parsed `tokenizer.json` and `tokenizer_config.json`. */
export function createTokenizer(json: unknown, config: TokenizerConfig = {}): Tokenizer {
  if (!isObject(json)) throw new TokenizerError('tokenizer.json is not a JSON object')
  const model = checkModel(json)
  checkPreTokenizer(json.pre_tokenizer)
  for (const t of Array.isArray(json.added_tokens) ? json.added_tokens : []) {
    // The library ignores single_word, so such a token would also match inside words.
    if (isObject(t) && t.single_word === true) {
      throw new TokenizerError(`unsupported added token option single_word on '${String(t.content)}'`)
    }
  }
  let hf: HfTokenizer
  try {
    hf = new HfTokenizer(
      {
        ...json,
        added_tokens: json.added_tokens ?? [],
        normalizer: json.normalizer ?? null,
        pre_tokenizer: json.pre_tokenizer ?? null,
        post_processor: json.post_processor ?? null,
        // Scoring never decodes, so a decoder the library lacks must not stop the model from loading.
        decoder: null,
      },
      config,
    )
  } catch (err) {
    throw new TokenizerError(`cannot load it (${(err as Error).message})`)
  }

  // Added tokens marked `normalized` are matched after normalization, under their normalized spelling.
  const normalizedAdded = new Map<string, number>()
  const normalizer = hf.normalizer
  for (const t of hf.get_added_tokens_decoder().values()) {
    if (t.normalized && normalizer) normalizedAdded.set(normalizer(t.content), t.id)
  }
  // Unknown pieces come back as their text (Unigram fuses a run of them); like the library, they get unk's id.
  const unkId = hf.model?.unk_token_id
  const idOf = (token: string): number => {
    const id = hf.token_to_id(token) ?? normalizedAdded.get(token) ?? unkId
    if (id === undefined)
      throw new TokenizerError(`token '${token}' has no id and the model has no unk token`)
    return id
  }

  const post = hf.post_processor
  function join(a: string[], b: string[] | null): { tokens: string[]; typeIds: number[] } {
    if (!post) {
      if (!b) return { tokens: a, typeIds: fill(a.length, 0) }
      return { tokens: [...a, ...b], typeIds: [...fill(a.length, 0), ...fill(b.length, 1)] }
    }
    const out = post(a, b, true)
    let tokens = out.tokens
    let typeIds = out.token_type_ids ?? fill(tokens.length, 0)
    // A lone ByteLevel post-processor hands the pair back unjoined; Rust appends it with type id 1.
    if (b && out.tokens_pair) {
      typeIds = [...typeIds, ...fill(out.tokens_pair.length, 1)]
      tokens = [...tokens, ...out.tokens_pair]
    }
    return { tokens, typeIds }
  }
  const singleSpecials = join([], null).tokens.length
  const pairSpecials = join([], []).tokens.length

  const tokJson = isObject(json.truncation) ? json.truncation : {}
  const maxLength = limit(config.model_max_length) ?? limit(tokJson.max_length)
  const pad = tokenText(config.pad_token)
  const padId = pad === null ? null : (hf.token_to_id(pad) ?? null)

  let render: ChatRenderer | null
  try {
    render = chatRenderer(config)
  } catch (err) {
    throw new TokenizerError(`chat_template does not parse (${(err as Error).message})`)
  }
  const specials = new Set<string>()
  for (const t of hf.get_added_tokens_decoder().values()) if (t.special) specials.add(t.content)

  return {
    model,
    maxLength,
    padId,
    encode(text, pair = null, max = maxLength ?? Number.POSITIVE_INFINITY) {
      let a = hf.tokenize(text)
      let b = pair === null ? null : hf.tokenize(pair)
      const room = Math.max(max - (b ? pairSpecials : singleSpecials), 0)
      let over = a.length + (b?.length ?? 0) - room
      if (over > 0) {
        const cut = Math.min(over, a.length)
        a = a.slice(cut)
        over -= cut
        if (b && over > 0) b = b.slice(0, b.length - over)
      }
      const { tokens, typeIds } = join(a, b)
      return { ids: tokens.map(idOf), typeIds }
    },
    hasChatTemplate: render !== null,
    encodeChat(messages, max = maxLength ?? Number.POSITIVE_INFINITY) {
      if (!render) throw new TokenizerError('no chat_template in tokenizer_config.json')
      let text: string
      try {
        text = render(messages)
      } catch (err) {
        throw new TokenizerError(`chat_template failed (${(err as Error).message})`)
      }
      let tokens = hf.tokenize(text)
      if (tokens.length > max) {
        const head = specials.has(tokens[0] as string) ? 1 : 0
        tokens = [...tokens.slice(0, head), ...tokens.slice(tokens.length - Math.max(max - head, 0))]
      }
      return { ids: tokens.map(idOf), typeIds: fill(tokens.length, 0) }
    },
  }
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new TokenizerError(`cannot read ${file}: ${(err as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new TokenizerError(`${file} is not valid JSON: ${(err as Error).message}`)
  }
}

/** The tokenizer of a Hugging Face layout folder: `tokenizer.json`, plus `tokenizer_config.json` if present. */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const file = path.join(dir, 'tokenizer.json')
  const json = await readJson(file, true)
  const read = await readJson(path.join(dir, 'tokenizer_config.json'), false)
  const config: TokenizerConfig = isObject(read) ? { ...read } : {}
  // transformers 4.43+ saves the template as its own file.
  const jinja = path.join(dir, 'chat_template.jinja')
  if (config.chat_template === undefined) {
    config.chat_template = await fs.readFile(jinja, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined
      throw new TokenizerError(`cannot read ${jinja}: ${err.message}`)
    })
  }
  try {
    return createTokenizer(json, config)
  } catch (err) {
    throw new TokenizerError(`${file}: ${(err as Error).message}`)
  }
}

export interface Batch {
  inputIds: BigInt64Array
  attentionMask: BigInt64Array
  typeIds: BigInt64Array
  dims: [number, number]
}

/** Right-pads encodings to the longest one; the attention mask marks the real tokens. */
export function padBatch(encodings: readonly Encoding[], padId: number): Batch {
  const width = Math.max(0, ...encodings.map((e) => e.ids.length))
  const inputIds = new BigInt64Array(encodings.length * width).fill(BigInt(padId))
  const attentionMask = new BigInt64Array(encodings.length * width)
  const typeIds = new BigInt64Array(encodings.length * width)
  encodings.forEach((e, row) => {
    for (let j = 0; j < e.ids.length; j++) {
      inputIds[row * width + j] = BigInt(e.ids[j] as number)
      attentionMask[row * width + j] = 1n
      typeIds[row * width + j] = BigInt(e.typeIds[j] ?? 0)
    }
  })
  return { inputIds, attentionMask, typeIds, dims: [encodings.length, width] }
}
