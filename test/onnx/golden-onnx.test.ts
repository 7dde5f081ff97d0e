// The documented ONNX round trip on the golden models: every weight file the golden fixtures use
// goes through converters/export_onnx.py (PyTorch: the torch.amax recipe) and back through the
// TypeScript converter. The result must hold the original tensors bit for bit and the same
// architecture, config, labels and tokenizer, and must reproduce every golden fixture's PyTorch
// logits through loadModel.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertOnnx } from '../../src/cli/convert-onnx.js';
import { TOLERANCE } from '../../src/model/certificate.js';
import { loadModel } from '../../src/node/files.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { readFixtures, repoRoot as root } from '../helpers/golden.js';
import { inputFromRecipes } from '../helpers/recipe.js';
import { PYTHON, requires } from '../helpers/requirements.js';

const exporter = join(root, 'converters', 'export_onnx.py');
const fixtures = readFixtures();
const models = [...new Set(fixtures.map((f) => f.model))];

let dir = '';
const converted = new Map<string, string>(); // model path -> converted .safetensors

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')}: exit ${code}\n${stderr.slice(-2000)}`))));
  });
}

const torch = requires('golden models through ONNX (converters/export_onnx.py)', 'torch');

describe.runIf(torch)('golden models through ONNX (converters/export_onnx.py -> convertOnnx)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinycnn-golden-onnx-'));
    await Promise.all(
      models.map(async (model, i) => {
        const onnx = join(dir, `m${i}.onnx`);
        const out = join(dir, `m${i}.safetensors`);
        await run(PYTHON, [exporter, join(root, model), onnx]);
        const meta = readSafetensors(readFileSync(join(root, model)), model).metadata;
        await convertOnnx(onnx, out, { labels: JSON.parse(meta['tinycnn.labels']) as string[], tokenizer: meta['tinycnn.tokenizer'], log: () => {} });
        converted.set(model, out);
      }),
    );
  });

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it.each(models)('%s: same tensors bit for bit, same architecture, config, labels, tokenizer', (model) => {
    const original = readSafetensors(readFileSync(join(root, model)), model);
    const ours = readSafetensors(readFileSync(converted.get(model)!), 'converted');
    expect([...ours.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort());
    for (const [name, t] of original.tensors) {
      const o = ours.tensors.get(name)!;
      expect(o.shape, name).toEqual(t.shape);
      expect(
        Buffer.from(o.data.buffer, o.data.byteOffset, o.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
        `${name} differs`,
      ).toBe(true);
    }
    for (const key of ['format', 'tinycnn.architecture', 'tinycnn.config', 'tinycnn.labels', 'tinycnn.tokenizer']) {
      expect(ours.metadata[key], key).toBe(original.metadata[key]);
    }
    expect(ours.metadata['tinycnn.converter']).toBe('onnx');
    expect(ours.metadata['tinycnn.probe']).toBeUndefined();
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: the converted weights reproduce the golden logits', (_, fixture) => {
    const model = loadModel(converted.get(fixture.model)!, { backend: 'js' });
    const built = fixture.cases.map((c) => inputFromRecipes(c.input));
    fixture.cases.forEach((c, i) => expect(built[i].hashes, `${c.label}: rebuilt input`).toEqual(c.input_sha256));
    const logits = fixture.batch ? model.logitsBatch(built.map((b) => b.input)) : built.map((b) => model.logits(b.input));
    fixture.cases.forEach((c, i) => {
      expect(logits[i]).toHaveLength(c.logits.length);
      c.logits.forEach((ref, j) => {
        const error = Math.abs(logits[i][j] - ref) / (1 + Math.abs(ref));
        expect(error, `${c.label}, logit ${j}: ours ${logits[i][j]} vs PyTorch ${ref}`).toBeLessThanOrEqual(TOLERANCE);
      });
    });
  });
});
