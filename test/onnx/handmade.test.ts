// The converter on ONNX files built by hand (test/onnx/build.ts): every way an initializer can
// be stored, and every refusal — wrong dtype, external data, unsupported ops, wrong layers,
// truncated or foreign bytes — as a typed ConversionError whose message says what to do.
import { describe, expect, it } from 'vitest';
import { onnxToSafetensors } from '../../src/onnx/convert.js';
import { ConversionError } from '../../src/onnx/errors.js';
import { TinyCnnError } from '../../src/errors.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { constInts, encodeModel, node, smallKim, tensor, type Storage } from './build.js';

/** The ConversionError thrown by converting `bytes`, checked to be one. */
function refusal(bytes: Uint8Array, file = 'model.onnx'): ConversionError {
  try {
    onnxToSafetensors(bytes, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConversionError);
    expect(e).toBeInstanceOf(TinyCnnError);
    return e as ConversionError;
  }
  throw new Error('expected a ConversionError, the conversion succeeded');
}

function expectWeights(bytes: Uint8Array, weights: Map<string, { dims: number[]; values: Float32Array }>): void {
  const file = readSafetensors(bytes, 'out.safetensors');
  expect([...file.tensors.keys()].sort()).toEqual([...weights.keys()].sort());
  for (const [name, w] of weights) {
    const t = file.tensors.get(name)!;
    expect(t.shape, name).toEqual(w.dims);
    expect(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), name).toEqual(
      new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength),
    );
  }
}

describe('initializer storage', () => {
  const stored: [Storage, string | undefined][] = [
    ['raw', undefined],
    ['float_data', undefined],
    ['double_raw', 'DOUBLE converted'],
    ['double_data', 'DOUBLE converted'],
    ['f16_raw', 'FLOAT16 widened'],
    ['f16_int32', 'FLOAT16 widened'],
    ['bf16_raw', 'BFLOAT16 widened'],
  ];
  for (const [storage, note] of stored) {
    it(`reads ${storage} initializers bit for bit${note ? ' (with a note)' : ''}`, () => {
      const kim = smallKim({ storage: () => storage });
      const result = onnxToSafetensors(encodeModel(kim.graph), 'kim.onnx');
      expectWeights(result.bytes, kim.weights);
      if (note === undefined) expect(result.notes).toEqual([]);
      else expect(result.notes).toHaveLength(8), expect(result.notes[0]).toContain(note);
    });
  }

  it('mixes storages in one model (fc1.weight in float_data, the rest raw)', () => {
    const kim = smallKim({ storage: (n) => (n === 'fc1.weight' ? 'float_data' : 'raw') });
    expectWeights(onnxToSafetensors(encodeModel(kim.graph), 'kim.onnx').bytes, kim.weights);
  });

  it('fills the metadata from the graph: architecture, config from shapes, default labels and tokenizer', () => {
    const kim = smallKim({ channels: 2, filters: 3, dim: 4, classes: 5 });
    const onnx = encodeModel(kim.graph);
    const meta = readSafetensors(onnxToSafetensors(onnx, '/some/dir/my-kim.onnx').bytes, 'x').metadata;
    expect(meta['format']).toBe('pt');
    expect(meta['tinycnn.architecture']).toBe('KimCNN');
    expect(meta['tinycnn.config']).toBe('{"mode":"multichannel","channels":2,"filters":3,"dim":4,"kernel_sizes":[3,4,5],"classes":5}');
    expect(meta['tinycnn.labels']).toBe('["0","1","2","3","4"]');
    expect(meta['tinycnn.tokenizer']).toBe('clean_str_sst');
    expect(meta['tinycnn.source']).toBe('my-kim.onnx');
    expect(meta['tinycnn.source_sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(meta['tinycnn.converter']).toBe('onnx');
    expect(meta['tinycnn.probe']).toBeUndefined();
  });

  it('takes labels and tokenizer from the options, and refuses a wrong label count or unknown tokenizer', () => {
    const onnx = encodeModel(smallKim({ classes: 2 }).graph);
    const meta = readSafetensors(onnxToSafetensors(onnx, 'k.onnx', { labels: ['neg', 'pos'], tokenizer: 'split' }).bytes, 'x').metadata;
    expect(meta['tinycnn.labels']).toBe('["neg","pos"]');
    expect(meta['tinycnn.tokenizer']).toBe('split');
    expect(() => onnxToSafetensors(onnx, 'k.onnx', { labels: ['a', 'b', 'c'] })).toThrow(/3 labels given .* 2 classes/);
    expect(() => onnxToSafetensors(onnx, 'k.onnx', { tokenizer: 'bpe' })).toThrow(/unknown tokenizer 'bpe'/);
  });
});

describe('refusals name the tensor or op and say what to do', () => {
  it('INT8 (quantized) initializer', () => {
    const e = refusal(encodeModel(smallKim({ storage: (n) => (n === 'conv2.weight' ? 'int8_raw' : 'raw') }).graph));
    expect(e.code).toBe('ONNX_UNSUPPORTED');
    expect(e.tensor).toBe('conv2.weight');
    expect(e.message).toMatch(/model\.onnx \[tensor conv2\.weight\]: dtype INT8 \(3\) is not supported.*export the model in float32/);
  });

  it('INT64 weight', () => {
    const e = refusal(encodeModel(smallKim({ storage: (n) => (n === 'fc1.bias' ? 'int64_data' : 'raw') }).graph));
    expect(e.tensor).toBe('fc1.bias');
    expect(e.message).toContain('INT64 (7)');
  });

  it('external data', () => {
    const e = refusal(encodeModel(smallKim({ storage: (n) => (n === 'conv1.weight' ? 'external' : 'raw') }).graph));
    expect(e.tensor).toBe('conv1.weight');
    expect(e.message).toMatch(/outside the \.onnx file \(external data in 'weights\.bin'\).*save_as_external_data=False/);
  });

  it('raw_data shorter than the dims need', () => {
    const kim = smallKim();
    const init = kim.graph.initializers.find((t) => t['name'] === 'conv3.bias')!;
    init['raw_data'] = (init['raw_data'] as Uint8Array).subarray(0, 8);
    const e = refusal(encodeModel(kim.graph));
    expect(e.code).toBe('ONNX_INVALID');
    expect(e.message).toMatch(/\[tensor conv3\.bias\]: raw_data holds 8 bytes, dims need 3 x 4 = 12/);
  });

  it('an op outside the Kim / SM set (LSTM), and MaxPool with the torch.amax hint', () => {
    const kim = smallKim();
    kim.graph.nodes.splice(1, 0, node('LSTM', ['x'], ['/lstm'], {}, '/rnn/LSTM'));
    const e = refusal(encodeModel(kim.graph));
    expect(e.op).toBe('LSTM (node "/rnn/LSTM")');
    expect(e.message).toMatch(/op LSTM is not part of a Kim CNN \/ SM CNN graph.*supported ops: Conv, Relu/);
    const pool = smallKim();
    pool.graph.nodes[4] = node('MaxPool', ['/sq0'], ['/max0'], { kernel_shape: [7] });
    expect(refusal(encodeModel(pool.graph)).message).toMatch(/op MaxPool .*torch\.amax\(x, dim=2\)/);
  });

  it('an op from a custom domain', () => {
    const kim = smallKim();
    kim.graph.nodes[1] = { ...kim.graph.nodes[1], domain: 'com.microsoft' };
    expect(refusal(encodeModel(kim.graph)).message).toMatch(/\[Relu \(node "\/relu0"\)\]: op from custom domain 'com\.microsoft'/);
  });

  it('a narrow convolution (no padding): tinycnn computes the wide one only', () => {
    const kim = smallKim();
    kim.graph.nodes[0] = node('Conv', ['x', 'conv1.weight', 'conv1.bias'], ['/conv1/out'], { kernel_shape: [3, 4], pads: [0, 0, 0, 0] }, '/conv1/Conv');
    const e = refusal(encodeModel(kim.graph));
    expect(e.op).toBe('Conv (node "/conv1/Conv")');
    expect(e.message).toMatch(/pads \[0,0,0,0\] \(expected \[2,0,2,0\] for k=3\).*wide convolution/);
  });

  it('weights left out of the file (export_params=False)', () => {
    const kim = smallKim();
    kim.graph.inputs.push(...kim.graph.initializers.map((t) => t['name'] as string));
    kim.graph.initializers = [];
    expect(refusal(encodeModel(kim.graph)).message).toMatch(/'conv1\.weight' is a graph input with no initializer.*export_params=True/);
  });

  it('an embedding table in the graph', () => {
    const kim = smallKim();
    kim.graph.inputs = ['ids'];
    kim.graph.initializers.push(tensor({ name: 'embed.weight', dims: [10, 4], values: new Float32Array(40) }));
    kim.graph.nodes.unshift(node('Gather', ['embed.weight', 'ids'], ['/emb']), constInts('/ax', [1]), node('Unsqueeze', ['/emb', '/ax'], ['x']));
    const e = refusal(encodeModel(kim.graph));
    expect(e.tensor).toBe('embed.weight');
    expect(e.message).toMatch(/\[10,4\] is not a weight of a Conv or dense layer \(an embedding table\?/);
  });

  it('a graph that is neither Kim nor SM (3 Conv + Tanh)', () => {
    const kim = smallKim();
    kim.graph.nodes[1] = node('Tanh', ['/conv1/out'], ['/relu0']);
    expect(refusal(encodeModel(kim.graph)).message).toMatch(
      /3 Conv \(followed by Tanh, Relu, Relu\) and 1 dense layer\(s\); tinycnn converts Kim CNN \(3 Conv \+ Relu, 1 dense\) or SM CNN/,
    );
  });

  it('no max over time', () => {
    const kim = smallKim();
    for (const i of [0, 1, 2]) kim.graph.nodes[5 * i + 4] = node('Identity', [`/sq${i}`], [`/max${i}`]);
    expect(refusal(encodeModel(kim.graph)).message).toMatch(/found 0 ReduceMax for 3 Conv: the max over time is missing/);
  });

  it('a scaled Gemm (alpha != 1)', () => {
    const kim = smallKim();
    kim.graph.nodes[kim.graph.nodes.length - 1] = node('Gemm', ['/cat', 'fc1.weight', 'fc1.bias'], ['logits'], { alpha: { f: 0.5 }, transB: 1 }, '/fc1/Gemm');
    expect(refusal(encodeModel(kim.graph)).message).toMatch(/\[Gemm \(node "\/fc1\/Gemm"\)\]: alpha=0\.5 scales the layer/);
  });

  it('non-finite weights', () => {
    const kim = smallKim();
    const w = kim.weights.get('fc1.bias')!;
    w.values[1] = NaN;
    kim.graph.initializers[kim.graph.initializers.length - 1] = tensor({ name: 'fc1.bias', dims: w.dims, values: w.values });
    expect(refusal(encodeModel(kim.graph)).message).toMatch(/\[tensor fc1\.bias\]: value NaN at flat index 1/);
  });
});

describe('bytes that are not a complete ONNX model', () => {
  const onnx = encodeModel(smallKim().graph);

  it('every truncation is an ONNX_INVALID ConversionError, never a crash or a partial model', () => {
    let checked = 0;
    for (let cut = 0; cut < onnx.length; cut += cut < 64 ? 1 : 37) {
      const e = refusal(onnx.subarray(0, cut), 'cut.onnx');
      expect(e.code, `cut at ${cut}`).toBe('ONNX_INVALID');
      expect(e.message).toMatch(/^cut\.onnx.*(truncated|corrupt)/);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('an empty file, JSON, and a safetensors file given by mistake', () => {
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode('{"not": "onnx"}'), onnxToSafetensors(onnx, 'k.onnx').bytes]) {
      expect(refusal(bytes).code).toBe('ONNX_INVALID');
    }
  });
});

describe('protobufjs stays out of the engine', () => {
  it('only src/onnx/ imports protobufjs, and only the CLI imports src/onnx/', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join, relative } = await import('node:path');
    const src = join(import.meta.dirname, '..', '..', 'src');
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(src, f));
    for (const file of files) {
      const rel = relative(src, file).split('\\').join('/');
      const text = readFileSync(file, 'utf8');
      if (!rel.startsWith('onnx/')) expect(text, rel).not.toMatch(/from ['"]protobufjs['"]|import\(['"]protobufjs['"]\)/);
      if (!rel.startsWith('onnx/') && !rel.startsWith('cli/')) expect(text, rel).not.toMatch(/['"][./]*\/onnx\//);
    }
    expect(files.length).toBeGreaterThan(10);
  });
});
