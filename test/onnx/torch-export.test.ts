// The converter on real torch.onnx.export output: test/onnx/make_onnx_fixtures.py (PyTorch 1.13,
// /usr/bin/python3) exports seeded reference modules many ways (constant folding on/off,
// keep_initializers_as_inputs, opsets 9/11/17, Linear as MatMul+Add with a transposed
// onnx::MatMul_* weight, SM's answer tower first) and dumps the state_dict. Every tensor of every
// conversion must equal the state_dict bit for bit, also after every name in the graph is erased,
// and the converted file must reproduce PyTorch's logits through loadModel. Without PyTorch the
// whole file skips (every test reads the exports); test/onnx/handmade.test.ts needs none.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertOnnx } from '../../src/cli/convert-onnx.js';
import { TOLERANCE } from '../../src/model/certificate.js';
import { loadModel } from '../../src/node/files.js';
import { onnxToSafetensors } from '../../src/onnx/convert.js';
import { ConversionError } from '../../src/onnx/errors.js';
import { modelProtoType } from '../../src/onnx/schema.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { encodeSafetensors } from '../../src/safetensors/write.js';
import { PYTHON, requires } from '../helpers/requirements.js';

interface Manifest {
  torch: string;
  models: Array<{
    name: string;
    architecture: 'KimCNN' | 'SMModel';
    tensors: Record<string, number[]>;
    inputs: Record<string, number[]>;
    logits: number[];
    py_safetensors: string;
    py_metadata: Record<string, string>;
  }>;
  exports: Array<{ file: string; model: string; variant: string }>;
}

/** The models make_onnx_fixtures.py writes (kept in step with its MODELS list; checked below). */
const MODELS = ['kim-static', 'kim-multichannel', 'kim-odd', 'sm-ext', 'sm', 'sm-odd'];
const CONFIGS: Record<string, string> = {
  'kim-static': '{"mode":"static","channels":1,"filters":100,"dim":300,"kernel_sizes":[3,4,5],"classes":6}',
  'kim-multichannel': '{"mode":"multichannel","channels":2,"filters":100,"dim":300,"kernel_sizes":[3,4,5],"classes":2}',
  'kim-odd': '{"mode":"static","channels":1,"filters":7,"dim":13,"kernel_sizes":[2,3,6],"classes":3}',
  'sm-ext': '{"filters":100,"dim":50,"k":5,"ext_feats":true,"classes":2}',
  sm: '{"filters":100,"dim":50,"k":5,"ext_feats":false,"classes":2}',
  'sm-odd': '{"filters":5,"dim":11,"k":3,"ext_feats":true,"classes":2}',
};

let dir = '';
let manifest: Manifest;
const torch = requires('ONNX conversion of torch.onnx.export output', 'torch');

beforeAll(() => {
  if (!torch) return;
  dir = mkdtempSync(join(tmpdir(), 'tinycnn-onnx-'));
  const script = join(import.meta.dirname, 'make_onnx_fixtures.py');
  const run = spawnSync(PYTHON, [script, dir], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) {
    throw new Error(`make_onnx_fixtures.py failed (${run.error?.message ?? `exit ${run.status}`}):\n${(run.stderr ?? '').slice(-2000)}`);
  }
  manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const model = (name: string) => manifest.models.find((m) => m.name === name)!;
const exportsOf = (name: string) => manifest.exports.filter((e) => e.model === name);
const stateBytes = (name: string, tensor: string) => readFileSync(join(dir, name, `${tensor}.f32`));
const f32 = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** Every state_dict tensor present, same shape, same bytes; nothing else. */
function expectStateDict(bytes: Uint8Array, name: string, what: string): void {
  const file = readSafetensors(bytes, what);
  const m = model(name);
  expect([...file.tensors.keys()].sort(), what).toEqual(Object.keys(m.tensors).sort());
  for (const [tensor, shape] of Object.entries(m.tensors)) {
    const t = file.tensors.get(tensor)!;
    expect(t.shape, `${what}: ${tensor}`).toEqual(shape);
    const got = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    expect(got.equals(stateBytes(name, tensor)), `${what}: ${tensor} differs from the state_dict`).toBe(true);
  }
}

/** The same model with every initializer and node renamed to nothing meaningful, initializers reversed. */
function eraseNames(onnx: Uint8Array): Uint8Array {
  const type = modelProtoType();
  const msg = type.decode(onnx) as unknown as {
    graph: { initializer: { name: string }[]; node: { name: string; input: string[] }[]; input: { name: string }[] };
  };
  const g = msg.graph;
  const rename = new Map(g.initializer.map((t, i) => [t.name, `onnx::W_${i * 7 + 3}`]));
  for (const t of g.initializer) t.name = rename.get(t.name)!;
  for (const n of g.node) {
    n.name = '';
    n.input = n.input.map((v) => rename.get(v) ?? v);
  }
  for (const i of g.input) i.name = rename.get(i.name) ?? i.name;
  g.initializer.reverse();
  return type.encode(msg).finish();
}

it.runIf(torch)('exported the models this test expects', () => {
  expect(manifest.models.map((m) => m.name)).toEqual(MODELS);
  expect(manifest.torch).toMatch(/^\d+\.\d+/);
  for (const name of MODELS) expect(exportsOf(name).length, name).toBeGreaterThanOrEqual(8);
});

describe.runIf(torch).each(MODELS)('%s', (name) => {
  it('every export converts to the PyTorch state_dict bit for bit, with the right metadata', () => {
    for (const e of exportsOf(name)) {
      const onnx = readFileSync(join(dir, e.file));
      const result = onnxToSafetensors(onnx, join(dir, e.file));
      expectStateDict(result.bytes, name, e.file);
      const meta = readSafetensors(result.bytes, e.file).metadata;
      expect(meta['tinycnn.architecture'], e.file).toBe(model(name).architecture);
      expect(meta['tinycnn.config'], e.file).toBe(CONFIGS[name]);
      expect(meta['tinycnn.tokenizer'], e.file).toBe(model(name).architecture === 'KimCNN' ? 'clean_str_sst' : 'split');
      expect(meta['tinycnn.source'], e.file).toBe(e.file);
      expect(meta['tinycnn.source_sha256'], e.file).toBe(createHash('sha256').update(onnx).digest('hex'));
      expect(meta['tinycnn.converter'], e.file).toBe('onnx');
      expect(result.notes, e.file).toEqual([]);
      const transposed = result.mapping.filter(([, source]) => source.endsWith('(transposed)')).map(([n]) => n);
      expect(transposed.length > 0, `${e.file}: transposed ${transposed}`).toBe(e.variant === 'dense3d-cf1');
    }
  });

  it('maps by graph structure alone when every name is erased', () => {
    for (const e of exportsOf(name)) {
      const erased = eraseNames(readFileSync(join(dir, e.file)));
      expectStateDict(onnxToSafetensors(erased, e.file).bytes, name, `${e.file} (names erased)`);
    }
  });

  it("the converted file reproduces PyTorch's logits through loadModel", () => {
    const m = model(name);
    const e = exportsOf(name).find((x) => x.variant === 'cf1')!;
    const engine = loadModel(onnxToSafetensors(readFileSync(join(dir, e.file)), e.file).bytes, { backend: 'js' });
    const input = (field: string) => f32(join(dir, name, `input.${field}.f32`));
    const tokens = (field: string) => m.inputs[field][m.architecture === 'KimCNN' ? 1 : 0];
    const logits =
      m.architecture === 'KimCNN'
        ? engine.logits({ x: { data: input('x'), tokens: tokens('x') } })
        : engine.logits({
            q: { data: input('q'), tokens: tokens('q') },
            a: { data: input('a'), tokens: tokens('a') },
            ext: m.inputs['ext'] ? input('ext') : undefined,
          });
    expect(logits).toHaveLength(m.logits.length);
    m.logits.forEach((ref, j) => expect(Math.abs(logits[j] - ref) / (1 + Math.abs(ref)), `logit ${j}: ${logits[j]} vs ${ref}`).toBeLessThanOrEqual(TOLERANCE));
  });

  it('encodeSafetensors writes the same bytes as converters/safetensors_io.py', () => {
    const m = model(name);
    const tensors = Object.entries(m.tensors).map(([t, shape]) => ({ name: t, shape, data: f32(join(dir, name, `${t}.f32`)) }));
    const ours = Buffer.from(encodeSafetensors(tensors.reverse(), m.py_metadata));
    expect(ours.equals(readFileSync(join(dir, m.py_safetensors)))).toBe(true);
  });
});

describe.runIf(torch)('convertOnnx (tinycnn convert X.onnx OUT.safetensors)', () => {
  it('writes the file and logs the architecture and the renamed initializers', async () => {
    const out = join(dir, 'cli-kim.safetensors');
    const lines: string[] = [];
    await convertOnnx(join(dir, 'kim-odd-dense3d-cf1.onnx'), out, { labels: ['a', 'b', 'c'], log: (l) => lines.push(l) });
    expectStateDict(readFileSync(out), 'kim-odd', out);
    expect(readSafetensors(readFileSync(out), out).metadata['tinycnn.labels']).toBe('["a","b","c"]');
    expect(lines[0]).toContain(`KimCNN ${CONFIGS['kim-odd']}`);
    expect(lines.join('\n')).toMatch(/fc1\.weight <- onnx::MatMul_\d+ \(transposed\)/);
  });

  it('leaves no output file behind when the conversion fails', async () => {
    const cut = join(dir, 'cut.onnx');
    const bytes = readFileSync(join(dir, 'sm-odd-cf1.onnx'));
    (await import('node:fs')).writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    const out = join(dir, 'cut.safetensors');
    await expect(convertOnnx(cut, out, { log: () => {} })).rejects.toBeInstanceOf(ConversionError);
    await expect(convertOnnx(cut, out, { log: () => {} })).rejects.toThrow(/cut\.onnx: not a complete ONNX model/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.${process.pid}.tmp`)).toBe(false);
  });
});
