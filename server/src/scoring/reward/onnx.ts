import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { SCORE, type ScoreInput, type Scorer } from '../scorer.ts'
import type { ChatMessage } from './chat-template.ts'
import { type Encoding, loadTokenizer, padBatch, type Tokenizer, TokenizerError } from './tokenizer.ts'
import { toTranscript } from './transcript.ts'

/**
 * A team's reward model in Hugging Face layout (`config.json`, `tokenizer.json`, `model.onnx`), tokenized in
 * JavaScript (WordPiece, BPE or Unigram) and run with onnxruntime-node on CPU. Input is one transcript
 * (`"\n\nHuman: ...\n\nAssistant: ..."`, as tiny-rm expects), a (prompt, response) pair, or the conversation
 * through the model's chat template; batches are sorted by length and right-padded with an attention mask.
 */
export class OnnxModelError extends Error {
  override name = 'OnnxModelError'
}

export interface OnnxRewardModel {
  name: string
  /**
   * First 12 hex digits of sha256 over model.onnx and every file that changes the input ids (config.json,
   * tokenizer.json, tokenizer_config.json, chat_template.jinja, special_tokens_map.json, where present).
   */
  version: string
  tokenizer: Tokenizer
  /** Ids per input, after truncation (the prompt side loses its beginning first). */
  maxLength: number
  /** Inputs per onnxruntime call: 1 when neither config.json nor the tokenizer names a pad token. */
  batchSize: number
  /** Scores for raw texts, in input order. */
  scoreTexts(texts: readonly string[]): Promise<number[]>
  /** Scores for (prompt, response) pairs joined by the tokenizer's post-processor, in input order. */
  scorePairs(pairs: readonly (readonly [string, string])[]): Promise<number[]>
  /** Scores for whole conversations (ending with the response) through the chat template, in input order. */
  scoreChats(chats: readonly (readonly ChatMessage[])[]): Promise<number[]>
  close(): Promise<void>
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T
  } catch (err) {
    throw new OnnxModelError(`cannot read ${file}: ${(err as Error).message}`)
  }
}

export interface OnnxOptions {
  /** Texts per onnxruntime call (default 16). */
  batchSize?: number
  /** onnxruntime intra-op threads (default 1: scoring runs beside the gateway). */
  threads?: number
  /** Cap on ids per input, below the model's own limit (long-context models are slow on CPU). */
  maxLength?: number
}

interface ModelConfig {
  max_position_embeddings?: number
  pad_token_id?: number | null
}

/** Files besides model.onnx whose bytes change what the model sees; a change in any is a new version. */
export const VERSIONED_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'chat_template.jinja',
  'special_tokens_map.json',
] as const

async function filesDigest(dir: string, onnx: Buffer): Promise<string> {
  const h = createHash('sha256')
  h.update(`model.onnx\0${onnx.length}\0`).update(onnx)
  for (const name of VERSIONED_FILES) {
    const bytes = await fs.readFile(path.join(dir, name)).catch(() => null)
    // Length-prefixed, so a missing file and an empty one (or moved bytes) never hash the same.
    h.update(bytes ? `${name}\0${bytes.length}\0` : `${name}\0absent\0`)
    if (bytes) h.update(bytes)
  }
  return h.digest('hex').slice(0, 12)
}

export async function loadOnnxRewardModel(dir: string, opts: OnnxOptions = {}): Promise<OnnxRewardModel> {
  const config = await readJson<ModelConfig>(path.join(dir, 'config.json'))
  let tokenizer: Tokenizer
  try {
    tokenizer = await loadTokenizer(dir)
  } catch (err) {
    if (err instanceof TokenizerError) throw new OnnxModelError(err.message)
    throw err
  }
  const modelPath = path.join(dir, 'model.onnx')
  let bytes: Buffer
  try {
    bytes = await fs.readFile(modelPath)
  } catch (err) {
    throw new OnnxModelError(`cannot read ${modelPath}: ${(err as Error).message}`)
  }
  let session: ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
    })
  } catch (err) {
    throw new OnnxModelError(`${modelPath}: onnxruntime cannot load it (${(err as Error).message})`)
  }
  const inputs = new Set(session.inputNames)
  if (!inputs.has('input_ids'))
    throw new OnnxModelError(`${modelPath}: no 'input_ids' input (has ${session.inputNames.join(', ')})`)
  const outputName = session.outputNames.includes('logits') ? 'logits' : (session.outputNames[0] as string)
  const limits = [opts.maxLength, tokenizer.maxLength, config.max_position_embeddings]
  const known = limits.filter((n): n is number => typeof n === 'number' && n > 0)
  const maxLength = known.length > 0 ? Math.min(...known) : 512
  // Without a pad id, decoder models cannot find the last real token of a padded row: one text per call.
  const padId = config.pad_token_id ?? tokenizer.padId
  const batchSize = padId === null || padId === undefined ? 1 : (opts.batchSize ?? 16)

  async function runBatch(encodings: Encoding[]): Promise<Float32Array> {
    const batch = padBatch(encodings, padId ?? 0)
    const dims = batch.dims
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', batch.inputIds, dims) }
    if (inputs.has('attention_mask'))
      feeds.attention_mask = new ort.Tensor('int64', batch.attentionMask, dims)
    if (inputs.has('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', batch.typeIds, dims)
    const out = await session.run(feeds)
    const logits = out[outputName]
    if (!logits) throw new OnnxModelError(`${modelPath}: no '${outputName}' output`)
    const data = logits.data as Float32Array
    const perRow = data.length / encodings.length
    const scores = new Float32Array(encodings.length)
    for (let i = 0; i < encodings.length; i++) scores[i] = data[i * perRow] as number
    return scores
  }

  async function score(encodings: Encoding[]): Promise<number[]> {
    // Similar lengths together, so padding wastes little.
    const order = encodings
      .map((_, i) => i)
      .sort((a, b) => (encodings[a] as Encoding).ids.length - (encodings[b] as Encoding).ids.length)
    const scores = new Array<number>(encodings.length)
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.slice(start, start + batchSize)
      const out = await runBatch(idx.map((i) => encodings[i] as Encoding))
      idx.forEach((i, k) => {
        scores[i] = out[k] as number
      })
    }
    return scores
  }

  const version = await filesDigest(dir, bytes)
  return {
    name: path.basename(path.resolve(dir)),
    version,
    tokenizer,
    maxLength,
    batchSize,
    scoreTexts: (texts) => score(texts.map((t) => tokenizer.encode(t, null, maxLength))),
    scorePairs: (pairs) => score(pairs.map(([p, r]) => tokenizer.encode(p, r, maxLength))),
    scoreChats: (chats) => score(chats.map((c) => tokenizer.encodeChat(c, maxLength))),
    close: () => session.release(),
  }
}

/**
 * How a scored exchange becomes model input: one hh-style transcript (tiny-rm, hh-rlhf models), the last
 * user turn and the response as a text pair (cross-encoders such as DeBERTa reward models), or the
 * conversation through the model's chat template (Llama/Qwen-style reward models).
 */
export type OnnxInputFormat = 'transcript' | 'pair' | 'chat'

export const ONNX_INPUT_FORMATS: readonly OnnxInputFormat[] = ['transcript', 'pair', 'chat']

/** The scorer's version: the model files' digest and the input format (a new format is a new version). */
export function onnxScorerVersion(modelVersion: string, input: OnnxInputFormat): string {
  return createHash('sha256').update(`${modelVersion}\0input=${input}`).digest('hex').slice(0, 12)
}

const CHAT_ROLES = new Set(['system', 'user', 'assistant'])

/** The request's conversation (or the prompt as one user turn), then the response as the assistant turn. */
export function toChat(input: Pick<ScoreInput, 'prompt' | 'messages' | 'response'>): ChatMessage[] {
  const turns = input.messages.filter((m) => CHAT_ROLES.has(m.role))
  const context = turns.length > 0 ? turns : [{ role: 'user', content: input.prompt }]
  return [...context, { role: 'assistant', content: input.response }]
}

/**
 * The ONNX backend as a Scorer: one reward score per input, named `reward` or `reward_shadow`. The input
 * format defaults to the chat template when the model ships one, else the transcript.
 */
export async function createOnnxRewardScorer(
  dir: string,
  opts: OnnxOptions & { shadow?: boolean; input?: OnnxInputFormat } = {},
): Promise<Scorer> {
  if (opts.input !== undefined && !ONNX_INPUT_FORMATS.includes(opts.input))
    throw new OnnxModelError(
      `${dir}: unknown input format '${String(opts.input)}' (one of ${ONNX_INPUT_FORMATS.join(', ')})`,
    )
  const model = await loadOnnxRewardModel(dir, opts)
  const name = opts.shadow ? SCORE.rewardShadow : SCORE.reward
  const input = opts.input ?? (model.tokenizer.hasChatTemplate ? 'chat' : 'transcript')
  if (input === 'chat' && !model.tokenizer.hasChatTemplate) {
    await model.close()
    throw new OnnxModelError(
      `${dir}: input format 'chat' needs a chat template (chat_template in tokenizer_config.json or chat_template.jinja) and this model has none; set the input format to 'pair' or 'transcript'`,
    )
  }
  return {
    name: `reward-onnx:${model.name}`,
    version: onnxScorerVersion(model.version, input),
    async scoreBatch(inputs: readonly ScoreInput[]) {
      const scores =
        input === 'chat'
          ? await model.scoreChats(inputs.map(toChat))
          : input === 'pair'
            ? await model.scorePairs(inputs.map((i) => [i.prompt, i.response] as const))
            : await model.scoreTexts(inputs.map(toTranscript))
      return scores.map((value) => [{ name, value }])
    },
    close: () => model.close(),
  }
}
