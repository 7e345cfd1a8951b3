import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  createOnnxRewardScorer,
  loadOnnxRewardModel,
  OnnxModelError,
  toChat,
} from '../../src/scoring/reward/onnx.ts'
import {
  createTokenizer,
  loadTokenizer,
  padBatch,
  TokenizerError,
} from '../../src/scoring/reward/tokenizer.ts'
import { SCORE } from '../../src/scoring/scorer.ts'
import { tinyOnnxSumModel } from '../support/tiny-onnx.ts'

/*
 * Tokenizers written here with small vocabularies; every expected id below was worked out by hand from
 * these vocabularies and merge ranks (the derivation is in the comments), never taken from the library.
 */

// GPT-2 byte-level BPE: a space is the byte 0x20, shown as 'Ġ'; 'é' is the bytes C3 A9, shown as 'Ã©'.
const BPE_VOCAB: Record<string, number> = {
  '<|endoftext|>': 0,
  h: 1,
  e: 2,
  l: 3,
  o: 4,
  Ġ: 5,
  w: 6,
  r: 7,
  d: 8,
  Ã: 9,
  '©': 10,
  '!': 11,
  he: 12,
  ll: 13,
  hell: 14,
  hello: 15,
  Ġw: 16,
  or: 17,
  Ġwor: 18,
  'Ã©': 19,
  '1': 20,
  '2': 21,
  '3': 22,
  '4': 23,
  '5': 24,
  '12': 25,
  '123': 26,
  '45': 27,
  '<|bos|>': 28,
}
// Rank = position: a lower rank merges first.
const BPE_MERGES = ['h e', 'l l', 'he ll', 'hell o', 'Ġ w', 'o r', 'Ġw or', 'Ã ©', '1 2', '12 3', '4 5']

function gpt2Json(): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: 0,
        content: '<|endoftext|>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: BPE_VOCAB,
      merges: BPE_MERGES,
    },
  }
}

// Llama 3's layout: a regex Split (digits in groups of up to three) then byte-level, and a BOS template.
const LLAMA3_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

function llama3Json(): Record<string, unknown> {
  const bos = { id: '<|bos|>', ids: [28], tokens: ['<|bos|>'] }
  return {
    ...gpt2Json(),
    added_tokens: [
      {
        id: 28,
        content: '<|bos|>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: LLAMA3_SPLIT }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'Sequence',
      processors: [
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: '<|bos|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [
            { SpecialToken: { id: '<|bos|>', type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: '<|bos|>', type_id: 1 } },
            { Sequence: { id: 'B', type_id: 1 } },
          ],
          special_tokens: { '<|bos|>': bos },
        },
      ],
    },
    model: { ...(gpt2Json().model as object), merges: BPE_MERGES.map((m) => m.split(' ')) },
  }
}

// A chat model's tokenizer: Llama 3 style plus role tokens that exist only as added tokens (ids 29, 30).
const CHAT_TEMPLATE =
  "{{ bos_token }}{% for m in messages %}{{ '<|' + m['role'] + '|>' + m['content'] }}{% endfor %}{{ eos_token }}"
const CHAT_CONFIG = {
  bos_token: '<|bos|>',
  eos_token: { content: '<|endoftext|>', __type: 'AddedToken' },
  model_max_length: 64,
  chat_template: CHAT_TEMPLATE,
}

function chatJson(): Record<string, unknown> {
  const json = llama3Json()
  const added = (id: number, content: string) => ({ id, content, normalized: false, special: true })
  json.added_tokens = [
    ...(json.added_tokens as object[]),
    added(0, '<|endoftext|>'),
    added(29, '<|user|>'),
    added(30, '<|assistant|>'),
  ]
  return json
}

// SentencePiece Unigram as DeBERTa-v3 exports it: Metaspace '▁', [CLS] A [SEP] (B [SEP]) template.
const UNIGRAM_VOCAB: [string, number][] = [
  ['[PAD]', 0],
  ['[CLS]', 0],
  ['[SEP]', 0],
  ['[UNK]', 0],
  ['▁', -2],
  ['▁hello', -1],
  ['▁he', -3],
  ['llo', -3],
  ['▁world', -1.5],
  ['▁wor', -2.5],
  ['ld', -2.5],
  ['▁low', -2],
  ['er', -2],
  ['▁lower', -4.5],
  ['h', -5],
  ['e', -5],
  ['l', -5],
  ['o', -5],
  ['w', -5],
  ['r', -5],
  ['d', -5],
]

function unigramJson(): Record<string, unknown> {
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  })
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[PAD]'), special(1, '[CLS]'), special(2, '[SEP]'), special(3, '[UNK]')],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }],
    },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [1], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [2], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 3, vocab: UNIGRAM_VOCAB, byte_fallback: false },
  }
}

const tmpDirs: string[] = []
function modelDir(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leash-rm-'))
  tmpDirs.push(dir)
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name)
    if (content instanceof Uint8Array) fs.writeFileSync(file, content)
    else fs.writeFileSync(file, JSON.stringify(content))
  }
  return dir
}
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true })
})

describe('byte-level BPE (GPT-2 style)', () => {
  const tok = createTokenizer(gpt2Json())

  it('merges by rank inside each pre-tokenized word, bytes mapped to GPT-2 symbols', () => {
    // "hello": h e l l o -> (h e) -> (l l) -> (he ll) -> (hell o) = hello 15.
    // " hello": Ġ + hello, no Ġ-h merge = 5 15. " world": (Ġ w) -> (o r) -> (Ġw or) = Ġwor l d = 18 3 8.
    // " é!": the regex gives " é" and "!": Ġ Ã © -> (Ã ©) = 5 19, then ! = 11.
    expect(tok.model).toBe('BPE')
    expect(tok.encode('hello hello world é!').ids).toEqual([15, 5, 15, 18, 3, 8, 5, 19, 11])
  })

  it('keeps an added special token written in the text whole', () => {
    expect(tok.encode('hello<|endoftext|>hello').ids).toEqual([15, 0, 15])
  })

  it('joins a pair with type ids 0 then 1 when the ByteLevel post-processor leaves it apart', () => {
    // "world" without a leading space: w o r l d -> (o r) = w or l d = 6 17 3 8.
    expect(tok.encode('hello', 'world')).toEqual({ ids: [15, 6, 17, 3, 8], typeIds: [0, 1, 1, 1, 1] })
  })
})

describe('byte-level BPE (Llama 3 style: regex Split, BOS template)', () => {
  const tok = createTokenizer(llama3Json())

  it('splits digits in groups of three before merging, and starts with BOS', () => {
    // Split: "hello" | " " | "123" | "45". "123": (1 2) -> (12 3) = 26; "45": (4 5) = 27; " " = Ġ 5.
    expect(tok.encode('hello 12345').ids).toEqual([28, 15, 5, 26, 27])
  })

  it('truncates the prompt side from the left and keeps BOS', () => {
    // Body 15 5 15 18 3 8 (see the GPT-2 test); 4 ids = BOS + the last 3 of the body.
    expect(tok.encode('hello hello world', null, 4).ids).toEqual([28, 18, 3, 8])
    // Pair template adds two BOS; 7 ids leave room for 5: the prompt loses "hello " (15 5), the response stays.
    expect(tok.encode('hello hello', 'world', 7)).toEqual({
      ids: [28, 15, 28, 6, 17, 3, 8],
      typeIds: [0, 0, 1, 1, 1, 1, 1],
    })
    // When the response alone is too long the prompt goes entirely and the response loses its end.
    expect(tok.encode('hello hello', 'world', 5).ids).toEqual([28, 28, 6, 17, 3])
  })
})

describe('SentencePiece BPE with byte fallback (Llama 2 layout)', () => {
  it('prepends ▁, marks spaces with ▁, and spells a character outside the vocabulary as its bytes', () => {
    const json = {
      added_tokens: [
        { id: 0, content: '<unk>', special: true },
        { id: 1, content: '<s>', special: true },
      ],
      normalizer: {
        type: 'Sequence',
        normalizers: [
          { type: 'Prepend', prepend: '▁' },
          { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
        ],
      },
      pre_tokenizer: null,
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
      },
      model: {
        type: 'BPE',
        unk_token: '<unk>',
        fuse_unk: true,
        byte_fallback: true,
        vocab: { '<unk>': 0, '<s>': 1, '<0xC3>': 2, '<0xA9>': 3, '▁': 4, h: 5, i: 6, '▁h': 7, '▁hi': 8 },
        merges: ['▁ h', '▁h i'],
      },
    }
    // "hi é" -> "▁hi▁é": (▁ h) -> (▁h i) = ▁hi 8, ▁ 4; é is not in the vocabulary: bytes C3 A9 = 2 3.
    expect(createTokenizer(json).encode('hi é').ids).toEqual([1, 8, 4, 2, 3])
  })
})

describe('Unigram (SentencePiece style, DeBERTa-v3 layout)', () => {
  const tok = createTokenizer(unigramJson(), { model_max_length: 512, pad_token: '[PAD]' })

  it('picks the best-scoring segmentation, not the longest piece, and fuses unknown characters', () => {
    // ▁hello (-1) beats ▁he+llo (-6); ▁world (-1.5) beats ▁wor+ld (-5); ▁low+er (-4) beats ▁lower (-4.5).
    // "!!" is not in the vocabulary: one fused [UNK] = 3. Template: [CLS]=1 ... [SEP]=2.
    expect(tok.model).toBe('Unigram')
    expect(tok.encode('hello world lower!!').ids).toEqual([1, 5, 8, 11, 12, 3, 2])
  })

  it('applies the normalizer (runs of spaces become one) before Metaspace', () => {
    expect(tok.encode('hello    world').ids).toEqual([1, 5, 8, 2])
  })

  it('encodes a pair as [CLS] A [SEP] B [SEP] with type ids from the template', () => {
    expect(tok.encode('hello', 'world')).toEqual({ ids: [1, 5, 2, 8, 2], typeIds: [0, 0, 0, 1, 1] })
  })

  it('finds an added token marked normalized under its normalized spelling', () => {
    const json = unigramJson()
    json.normalizer = { type: 'Lowercase' }
    const added = json.added_tokens as object[]
    json.added_tokens = [...added, { id: 21, content: '[NEW]', normalized: true, special: false }]
    // Lowercased text holds "[new]", which only the normalized spelling of id 21 matches.
    expect(createTokenizer(json).encode('hello[NEW]').ids).toEqual([1, 5, 21, 2])
  })

  it('reads max length and pad id from tokenizer_config.json', () => {
    expect(tok.maxLength).toBe(512)
    expect(tok.padId).toBe(0)
    expect(createTokenizer(unigramJson(), { model_max_length: 1e30 }).maxLength).toBeNull()
  })
})

describe('chat templates (tokenizer_config.json or chat_template.jinja)', () => {
  const chat = [
    { role: 'user', content: 'hello' },
    { role: 'assistant', content: 'world' },
  ]

  it('renders the template and tokenizes it without adding the post-processor BOS a second time', () => {
    // "<|bos|><|user|>hello<|assistant|>world<|endoftext|>": 28 29, hello 15, 30, w or l d 6 17 3 8, 0.
    const tok = createTokenizer(chatJson(), CHAT_CONFIG)
    expect(tok.hasChatTemplate).toBe(true)
    expect(tok.encodeChat(chat)).toEqual({
      ids: [28, 29, 15, 30, 6, 17, 3, 8, 0],
      typeIds: [0, 0, 0, 0, 0, 0, 0, 0, 0],
    })
    // Too long: the front goes, BOS stays.
    expect(tok.encodeChat(chat, 5).ids).toEqual([28, 17, 3, 8, 0])
  })

  it('takes the template named "default" from a list, or chat_template.jinja from the folder', async () => {
    const named = [
      { name: 'tool_use', template: 'unused' },
      { name: 'default', template: CHAT_TEMPLATE },
    ]
    const tok = createTokenizer(chatJson(), { ...CHAT_CONFIG, chat_template: named })
    expect(tok.encodeChat(chat).ids).toEqual([28, 29, 15, 30, 6, 17, 3, 8, 0])
    const { chat_template: _, ...config } = CHAT_CONFIG
    const dir = modelDir({ 'tokenizer.json': chatJson(), 'tokenizer_config.json': config })
    expect((await loadTokenizer(dir)).hasChatTemplate).toBe(false)
    fs.writeFileSync(path.join(dir, 'chat_template.jinja'), CHAT_TEMPLATE)
    expect((await loadTokenizer(dir)).encodeChat(chat).ids).toEqual([28, 29, 15, 30, 6, 17, 3, 8, 0])
  })

  it('fails clearly without a template, or when the template raises', () => {
    expect(() => createTokenizer(chatJson()).encodeChat(chat)).toThrow(/no chat_template/)
    const strict =
      "{% if messages[0]['role'] != 'system' %}{{ raise_exception('needs a system turn') }}{% endif %}"
    const tok = createTokenizer(chatJson(), { ...CHAT_CONFIG, chat_template: strict })
    expect(() => tok.encodeChat(chat)).toThrow(/chat_template failed \(.*needs a system turn/)
    expect(() => createTokenizer(chatJson(), { chat_template: '{% for %}' })).toThrow(
      /chat_template does not parse/,
    )
  })

  it('builds the conversation of an exchange: its messages (or the prompt), then the response', () => {
    const base = { prompt: 'hi', response: 'world', sources: [], tools: [], toolCalls: [] }
    expect(toChat({ ...base, messages: [] })).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'world' },
    ])
    const messages = [
      { role: 'system', content: 's' },
      { role: 'user', content: 'a' },
      { role: 'tool', content: 't' },
      { role: 'user', content: 'hi' },
    ]
    expect(toChat({ ...base, messages }).map((m) => m.role)).toEqual(['system', 'user', 'user', 'assistant'])
  })
})

describe('tokenizer.json the library cannot reproduce', () => {
  it('refuses a model type outside WordPiece, BPE and Unigram instead of loading it as another', () => {
    const json = { ...gpt2Json(), model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' } }
    expect(() => createTokenizer(json)).toThrow(TokenizerError)
    expect(() => createTokenizer(json)).toThrow(
      /unsupported tokenizer model 'WordLevel' \(supported: BPE, Unigram, WordPiece\)/,
    )
  })

  it('names the component the library does not know', () => {
    expect(() => createTokenizer({ ...gpt2Json(), pre_tokenizer: { type: 'UnicodeScripts' } })).toThrow(
      /cannot load it \(Unknown PreTokenizer type: UnicodeScripts\)/,
    )
    expect(() => createTokenizer({ ...gpt2Json(), normalizer: { type: 'Nope' } })).toThrow(
      /Normalizer type: Nope/,
    )
  })

  it('refuses settings the library would tokenize differently from Python', () => {
    const split = { type: 'Split', pattern: { String: ' ' }, behavior: 'MergedWithPrevious', invert: false }
    expect(() =>
      createTokenizer({ ...gpt2Json(), pre_tokenizer: { type: 'Sequence', pretokenizers: [split] } }),
    ).toThrow(/'Split' with behavior 'MergedWithPrevious'/)
    expect(() => createTokenizer({ ...gpt2Json(), pre_tokenizer: { type: 'Punctuation' } })).toThrow(
      /'Punctuation'/,
    )
    const added = [{ id: 15, content: 'hello', single_word: true, special: false }]
    expect(() => createTokenizer({ ...gpt2Json(), added_tokens: added })).toThrow(/single_word on 'hello'/)
  })

  it('loads a tokenizer whose decoder the library lacks: scoring never decodes', () => {
    const tok = createTokenizer({ ...gpt2Json(), decoder: { type: 'SomeNewDecoder' } })
    expect(tok.encode('hello').ids).toEqual([15])
  })
})

describe('model folders', () => {
  const config = { model_type: 'llama', max_position_embeddings: 64, pad_token_id: 7 }

  it('fails clearly when the folder has no tokenizer.json', async () => {
    const dir = modelDir({ 'config.json': config })
    await expect(loadOnnxRewardModel(dir)).rejects.toBeInstanceOf(OnnxModelError)
    await expect(loadOnnxRewardModel(dir)).rejects.toThrow(/cannot read .*tokenizer\.json: ENOENT/)
  })

  it('names the file when tokenizer.json has a model type that cannot load', async () => {
    const dir = modelDir({
      'config.json': config,
      'tokenizer.json': { ...gpt2Json(), model: { type: 'WordLevel' } },
    })
    await expect(loadOnnxRewardModel(dir)).rejects.toThrow(
      /tokenizer\.json: unsupported tokenizer model 'WordLevel'/,
    )
  })

  it('accepts a BPE folder up to the model: the error is about model.onnx, not the tokenizer', async () => {
    const dir = modelDir({ 'config.json': config, 'tokenizer.json': llama3Json() })
    expect((await loadTokenizer(dir)).model).toBe('BPE')
    await expect(loadOnnxRewardModel(dir)).rejects.toThrow(/cannot read .*model\.onnx/)
    fs.writeFileSync(path.join(dir, 'model.onnx'), 'not onnx')
    await expect(loadOnnxRewardModel(dir)).rejects.toThrow(/model\.onnx: onnxruntime cannot load it/)
  })

  it('pads a batch on the right with the pad id and masks the padding', () => {
    const batch = padBatch(
      [
        { ids: [5, 6, 7], typeIds: [0, 0, 1] },
        { ids: [8], typeIds: [0] },
      ],
      9,
    )
    expect(batch.dims).toEqual([2, 3])
    expect([...batch.inputIds]).toEqual([5n, 6n, 7n, 8n, 9n, 9n])
    expect([...batch.attentionMask]).toEqual([1n, 1n, 1n, 1n, 0n, 0n])
    expect([...batch.typeIds]).toEqual([0n, 0n, 1n, 0n, 0n, 0n])
  })
})

describe('ONNX backend end to end with a BPE and a Unigram tokenizer', () => {
  // The model is sum(input_ids * attention_mask) + 1000 * sum(token_type_ids): its score shows exactly
  // which ids, mask and type ids reached onnxruntime.
  const onnx = tinyOnnxSumModel()

  it('scores Llama-3-style BPE texts and pairs, batched with padding id 7 masked out', async () => {
    const dir = modelDir({
      'config.json': { model_type: 'llama', max_position_embeddings: 64, pad_token_id: 7 },
      'tokenizer.json': llama3Json(),
      'model.onnx': onnx,
    })
    const model = await loadOnnxRewardModel(dir, { maxLength: 5 })
    try {
      expect(model.maxLength).toBe(5)
      expect(model.batchSize).toBe(16)
      // [28 15 5 26 27] = 101 and [28 15] = 43. "hello hello world" has the body 15 5 15 18 3 8;
      // BOS leaves room for its last 4 ids: 28 + 15 + 18 + 3 + 8 = 72.
      const scores = await model.scoreTexts(['hello 12345', 'hello', 'hello hello world'])
      expect(scores).toEqual([101, 43, 72])
      // Pair: 28 15 28 6 17 3 8 cut to 5 -> 28 28 6 17 3 = 82, plus type ids 1+1+1+1 = 4 -> 4082.
      expect(await model.scorePairs([['hello', 'world']])).toEqual([4082])
    } finally {
      await model.close()
    }
  })

  it('scores through the chat template by default when the model ships one', async () => {
    const dir = modelDir({
      'config.json': { model_type: 'llama', max_position_embeddings: 64, pad_token_id: null },
      'tokenizer.json': chatJson(),
      'tokenizer_config.json': CHAT_CONFIG,
      'model.onnx': onnx,
    })
    const model = await loadOnnxRewardModel(dir)
    expect(model.batchSize).toBe(1)
    await model.close()
    const scorer = await createOnnxRewardScorer(dir)
    try {
      const input = {
        prompt: 'hello',
        messages: [],
        response: 'world',
        sources: [],
        tools: [],
        toolCalls: [],
      }
      // 28 + 29 + 15 + 30 + 6 + 17 + 3 + 8 + 0 = 136 (config.json has no pad id: scored one text per call).
      expect(await scorer.scoreBatch([input, { ...input, response: 'hello' }])).toEqual([
        [{ name: SCORE.reward, value: 136 }],
        [{ name: SCORE.reward, value: 28 + 29 + 15 + 30 + 15 + 0 }],
      ])
    } finally {
      await scorer.close?.()
    }
  })

  it('scores Unigram pairs with token_type_ids from the template', async () => {
    const dir = modelDir({
      'config.json': { model_type: 'deberta-v2', max_position_embeddings: 512, pad_token_id: 0 },
      'tokenizer.json': unigramJson(),
      'tokenizer_config.json': { model_max_length: 512, pad_token: '[PAD]' },
      'model.onnx': onnx,
    })
    const model = await loadOnnxRewardModel(dir)
    try {
      // [1 5 2 8 2] = 18, type ids [0 0 0 1 1] -> 2018; [1 5 8 11 12 3 2] = 42, no type ids set.
      expect(await model.scorePairs([['hello', 'world']])).toEqual([2018])
      expect(await model.scoreTexts(['hello world lower!!'])).toEqual([42])
    } finally {
      await model.close()
    }
    // As a Scorer in pair mode, the prompt and response of an exchange are the pair.
    const scorer = await createOnnxRewardScorer(dir, { input: 'pair' })
    try {
      const input = {
        prompt: 'hello',
        messages: [],
        response: 'world',
        sources: [],
        tools: [],
        toolCalls: [],
      }
      expect(await scorer.scoreBatch([input])).toEqual([[{ name: SCORE.reward, value: 2018 }]])
    } finally {
      await scorer.close?.()
    }
  })
})
