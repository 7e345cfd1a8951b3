/**
 * A hand-encoded ONNX model (protobuf written byte by byte, no onnx tooling needed) for tokenizer tests:
 * logits[b, 0] = sum_j(input_ids * attention_mask) + 1000 * sum_j(token_type_ids), as float32.
 */
type Bytes = number[]

function varint(n: number): Bytes {
  const out: Bytes = []
  let v = n
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return out
}

const num = (field: number, n: number): Bytes => [...varint(field << 3), ...varint(n)]
const msg = (field: number, body: Bytes): Bytes => [
  ...varint((field << 3) | 2),
  ...varint(body.length),
  ...body,
]
const str = (field: number, s: string): Bytes => msg(field, [...new TextEncoder().encode(s)])

const INT64 = 7
const FLOAT = 1

function node(op: string, inputs: string[], output: string, attributes: Bytes[] = []): Bytes {
  return msg(1, [
    ...inputs.flatMap((i) => str(1, i)),
    ...str(2, output),
    ...str(3, `${op}_${output}`),
    ...str(4, op),
    ...attributes.flatMap((a) => msg(5, a)),
  ])
}

// AttributeProto: name = 1, i = 3, ints = 8, type = 20 (INT = 2, INTS = 7).
const intAttr = (name: string, i: number): Bytes => [...str(1, name), ...num(3, i), ...num(20, 2)]
const intsAttr = (name: string, ints: number[]): Bytes => [
  ...str(1, name),
  ...ints.flatMap((i) => num(8, i)),
  ...num(20, 7),
]

// ValueInfoProto with TypeProto.tensor_type { elem_type, shape { dim... } }.
function valueInfo(field: number, name: string, elem: number, dims: (string | number)[]): Bytes {
  const shape = dims.flatMap((d) => msg(1, typeof d === 'string' ? str(2, d) : num(1, d)))
  return msg(field, [...str(1, name), ...msg(2, msg(1, [...num(1, elem), ...msg(2, shape)]))])
}

export function tinyOnnxSumModel(): Uint8Array {
  const seq = ['batch', 'sequence']
  const graph: Bytes = [
    ...node('Mul', ['input_ids', 'attention_mask'], 'kept'),
    ...node('Mul', ['token_type_ids', 'thousand'], 'typed'),
    ...node('Add', ['kept', 'typed'], 'summand'),
    ...node('ReduceSum', ['summand'], 'total', [intsAttr('axes', [1]), intAttr('keepdims', 1)]),
    ...node('Cast', ['total'], 'logits', [intAttr('to', FLOAT)]),
    ...str(2, 'tiny-sum'),
    // TensorProto scalar: data_type = 2, int64_data = 7, name = 8.
    ...msg(5, [...num(2, INT64), ...num(7, 1000), ...str(8, 'thousand')]),
    ...valueInfo(11, 'input_ids', INT64, seq),
    ...valueInfo(11, 'attention_mask', INT64, seq),
    ...valueInfo(11, 'token_type_ids', INT64, seq),
    ...valueInfo(12, 'logits', FLOAT, ['batch', 1]),
  ]
  // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 { version = 2 }.
  const model: Bytes = [...num(1, 7), ...str(2, 'leash-test'), ...msg(7, graph), ...msg(8, num(2, 11))]
  return Uint8Array.from(model)
}
