import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { SCORE, type ScoreInput, type Scorer } from '../scorer.ts'
import { type TokenizerConfig, WordPieceTokenizer } from './tokenizer.ts'
import { toTranscript } from './transcript.ts'

/**
 * A team's reward model in Hugging Face layout (`config.json`, `tokenizer.json`, `model.onnx`), tokenized in
 * JavaScript and run with onnxruntime-node on CPU. Texts are `"\n\nHuman: ...\n\nAssistant: ..."`, as tiny-rm
 * and hh-rlhf-style models expect; batches are sorted by length and right-padded with an attention mask.
 */
export class OnnxModelError extends Error {
  override name = 'OnnxModelError'
}

export interface OnnxRewardModel {
  name: string
  /** First 12 hex digits of sha256(model.onnx). */
  version: string
  tokenizer: WordPieceTokenizer
  /** Scores for raw texts, in input order. */
  scoreTexts(texts: readonly string[]): Promise<number[]>
  close(): Promise<void>
}

async function readJson<T>(file: string, required: boolean): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new OnnxModelError(`cannot read ${file}: ${(err as Error).message}`)
  }
}

export interface OnnxOptions {
  /** Texts per onnxruntime call (default 16). */
  batchSize?: number
  /** onnxruntime intra-op threads (default 1: scoring runs beside the gateway). */
  threads?: number
}

export async function loadOnnxRewardModel(dir: string, opts: OnnxOptions = {}): Promise<OnnxRewardModel> {
  const config = await readJson<{ max_position_embeddings?: number; pad_token_id?: number }>(
    path.join(dir, 'config.json'),
    true,
  )
  const tokJson = await readJson<ConstructorParameters<typeof WordPieceTokenizer>[0]>(
    path.join(dir, 'tokenizer.json'),
    true,
  )
  const tokConfig = (await readJson<TokenizerConfig>(path.join(dir, 'tokenizer_config.json'), false)) ?? {}
  let tokenizer: WordPieceTokenizer
  try {
    tokenizer = new WordPieceTokenizer(tokJson ?? {}, tokConfig)
  } catch (err) {
    throw new OnnxModelError(`${path.join(dir, 'tokenizer.json')}: ${(err as Error).message}`)
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
  const maxLength = Math.min(tokenizer.maxLength, config?.max_position_embeddings ?? tokenizer.maxLength)
  const padId = config?.pad_token_id ?? tokenizer.padId
  const batchSize = opts.batchSize ?? 16

  async function runBatch(seqs: number[][]): Promise<Float32Array> {
    const width = Math.max(...seqs.map((s) => s.length))
    const ids = new BigInt64Array(seqs.length * width).fill(BigInt(padId))
    const mask = new BigInt64Array(seqs.length * width)
    seqs.forEach((s, row) => {
      for (let j = 0; j < s.length; j++) {
        ids[row * width + j] = BigInt(s[j] as number)
        mask[row * width + j] = 1n
      }
    })
    const dims = [seqs.length, width]
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, dims) }
    if (inputs.has('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, dims)
    if (inputs.has('token_type_ids'))
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims)
    const out = await session.run(feeds)
    const logits = out[outputName]
    if (!logits) throw new OnnxModelError(`${modelPath}: no '${outputName}' output`)
    const data = logits.data as Float32Array
    const perRow = data.length / seqs.length
    const scores = new Float32Array(seqs.length)
    for (let i = 0; i < seqs.length; i++) scores[i] = data[i * perRow] as number
    return scores
  }

  return {
    name: path.basename(path.resolve(dir)),
    version: createHash('sha256').update(bytes).digest('hex').slice(0, 12),
    tokenizer,
    async scoreTexts(texts) {
      const seqs = texts.map((t) => tokenizer.encode(t, maxLength))
      // Similar lengths together, so padding wastes little.
      const order = seqs
        .map((_, i) => i)
        .sort((a, b) => (seqs[a] as number[]).length - (seqs[b] as number[]).length)
      const scores = new Array<number>(texts.length)
      for (let start = 0; start < order.length; start += batchSize) {
        const idx = order.slice(start, start + batchSize)
        const out = await runBatch(idx.map((i) => seqs[i] as number[]))
        idx.forEach((i, k) => {
          scores[i] = out[k] as number
        })
      }
      return scores
    },
    close: () => session.release(),
  }
}

/** The ONNX backend as a Scorer: one reward score per input, named `reward` or `reward_shadow`. */
export async function createOnnxRewardScorer(
  dir: string,
  opts: OnnxOptions & { shadow?: boolean } = {},
): Promise<Scorer> {
  const model = await loadOnnxRewardModel(dir, opts)
  const name = opts.shadow ? SCORE.rewardShadow : SCORE.reward
  return {
    name: `reward-onnx:${model.name}`,
    version: model.version,
    async scoreBatch(inputs: readonly ScoreInput[]) {
      const scores = await model.scoreTexts(inputs.map(toTranscript))
      return scores.map((value) => [{ name, value }])
    },
    close: () => model.close(),
  }
}
