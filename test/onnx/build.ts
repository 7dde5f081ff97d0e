/**
 * Builds small ONNX models by hand with protobufjs (through the converter's own
 * schema subset), shaped like torch.onnx.export's Kim / SM graphs, with every
 * way of storing an initializer the converter must read or refuse.
 */
import { modelProtoType } from '../../src/onnx/schema.js';
import { probeValues } from '../../src/model/probe.js';

/** How an initializer's values are stored. */
export type Storage = 'raw' | 'float_data' | 'double_raw' | 'double_data' | 'f16_raw' | 'f16_int32' | 'bf16_raw' | 'int8_raw' | 'int64_data' | 'external';

export interface Weight {
  name: string;
  dims: number[];
  values: Float32Array;
  storage?: Storage;
}

type Obj = Record<string, unknown>;

/** Values exactly representable in float16 and bfloat16 (m / 256, |m| < 256), seeded. */
export function exactValues(count: number, seed: number): Float32Array {
  const v = probeValues(seed, count);
  return v.map((x) => Math.round(x * 255) / 256);
}

/** float32 -> bfloat16 bits, for values that are exact in bfloat16. */
function bf16Bits(v: number): number {
  return new Uint32Array(new Float32Array([v]).buffer)[0] >>> 16;
}

/** number -> float16 bits, for zero and normal values that are exact in float16. */
function f16Bits(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const exp = Math.floor(Math.log2(a));
  const frac = Math.round((a / 2 ** exp - 1) * 1024);
  return sign | ((exp + 15) << 10) | frac;
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength).slice();
}

/** A TensorProto object (for fromObject) storing `w` as asked. */
export function tensor(w: Weight): Obj {
  const base = { name: w.name, dims: w.dims };
  const v = w.values;
  switch (w.storage ?? 'raw') {
    case 'raw':
      return { ...base, data_type: 1, raw_data: bytesOf(v) };
    case 'float_data':
      return { ...base, data_type: 1, float_data: [...v] };
    case 'double_raw':
      return { ...base, data_type: 11, raw_data: bytesOf(Float64Array.from(v)) };
    case 'double_data':
      return { ...base, data_type: 11, double_data: [...v] };
    case 'f16_raw':
      return { ...base, data_type: 10, raw_data: bytesOf(Uint16Array.from(v, f16Bits)) };
    case 'f16_int32':
      return { ...base, data_type: 10, int32_data: Array.from(v, f16Bits) };
    case 'bf16_raw':
      return { ...base, data_type: 16, raw_data: bytesOf(Uint16Array.from(v, bf16Bits)) };
    case 'int8_raw':
      return { ...base, data_type: 3, raw_data: Uint8Array.from(v, (x) => Math.round(x * 100) & 0xff) };
    case 'int64_data':
      return { ...base, data_type: 7, int64_data: Array.from(v, Math.round) };
    case 'external':
      return {
        ...base,
        data_type: 1,
        data_location: 1,
        external_data: [
          { key: 'location', value: 'weights.bin' },
          { key: 'offset', value: '0' },
        ],
      };
  }
}

/** Attribute values: number (INT), number[] (INTS), string (STRING), {f} (FLOAT), {t} (TENSOR). */
type AttrValue = number | number[] | string | { f: number } | { t: Obj };

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name = ''): Obj {
  const attribute = Object.entries(attrs).map(([n, v]) => {
    if (typeof v === 'number') return { name: n, type: 2, i: v };
    if (Array.isArray(v)) return { name: n, type: 7, ints: v };
    if (typeof v === 'string') return { name: n, type: 3, s: new TextEncoder().encode(v) };
    if ('f' in v) return { name: n, type: 1, f: v.f };
    return { name: n, type: 4, t: v.t };
  });
  return { op_type: opType, input: inputs, output: outputs, attribute, name: name || outputs[0] };
}

/** int64 [values] Constant node, as torch emits for Squeeze / Unsqueeze axes. */
export function constInts(output: string, values: number[]): Obj {
  return node('Constant', [], [output], { value: { t: { dims: [values.length], data_type: 7, int64_data: values } } });
}

export interface Graph {
  nodes: Obj[];
  initializers: Obj[];
  inputs: string[];
  outputs: string[];
}

/** Encode a ModelProto (opset 13, ir_version 7 like PyTorch 1.13). */
export function encodeModel(g: Graph, opset = 13): Uint8Array {
  const type = modelProtoType();
  const valueInfo = (name: string) => ({ name, type: { tensor_type: { elem_type: 1 } } });
  const msg = type.fromObject({
    ir_version: 7,
    producer_name: 'tinycnn-test',
    producer_version: '0',
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'g',
      node: g.nodes,
      initializer: g.initializers,
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  });
  return type.encode(msg).finish();
}

export interface SmallKim {
  graph: Graph;
  /** The state_dict the graph holds, PyTorch names and layout. */
  weights: Map<string, { dims: number[]; values: Float32Array }>;
}

/**
 * A tiny Kim CNN graph in torch.onnx.export's shape: 3 x (Conv, Relu, Squeeze,
 * ReduceMax), Concat, Gemm(transB=1). `storage` picks how each weight is stored.
 */
export function smallKim(opts: { channels?: number; filters?: number; dim?: number; classes?: number; storage?: (name: string) => Storage } = {}): SmallKim {
  const { channels = 1, filters = 3, dim = 4, classes = 2, storage = () => 'raw' as Storage } = opts;
  const weights = new Map<string, { dims: number[]; values: Float32Array }>();
  const initializers: Obj[] = [];
  let seed = 900;
  const add = (name: string, dims: number[]) => {
    const values = exactValues(
      dims.reduce((a, b) => a * b, 1),
      seed++,
    );
    weights.set(name, { dims, values });
    initializers.push(tensor({ name, dims, values, storage: storage(name) }));
  };
  const nodes: Obj[] = [];
  const pooled: string[] = [];
  [3, 4, 5].forEach((k, i) => {
    const c = `conv${i + 1}`;
    add(`${c}.weight`, [filters, channels, k, dim]);
    add(`${c}.bias`, [filters]);
    nodes.push(
      node(
        'Conv',
        ['x', `${c}.weight`, `${c}.bias`],
        [`/${c}/out`],
        { dilations: [1, 1], group: 1, kernel_shape: [k, dim], pads: [k - 1, 0, k - 1, 0], strides: [1, 1] },
        `/${c}/Conv`,
      ),
      node('Relu', [`/${c}/out`], [`/relu${i}`]),
      constInts(`/axes${i}`, [3]),
      node('Squeeze', [`/relu${i}`, `/axes${i}`], [`/sq${i}`]),
      node('ReduceMax', [`/sq${i}`], [`/max${i}`], { axes: [2], keepdims: 0 }),
    );
    pooled.push(`/max${i}`);
  });
  add('fc1.weight', [classes, 3 * filters]);
  add('fc1.bias', [classes]);
  nodes.push(
    node('Concat', pooled, ['/cat'], { axis: 1 }),
    node('Gemm', ['/cat', 'fc1.weight', 'fc1.bias'], ['logits'], { alpha: { f: 1 }, beta: { f: 1 }, transB: 1 }, '/fc1/Gemm'),
  );
  return { graph: { nodes, initializers, inputs: ['x'], outputs: ['logits'] }, weights };
}
