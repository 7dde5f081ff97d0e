// Nothing silently wrong from NaN or infinite numbers (issue 16, defect 1): a non-finite weight is
// refused at load naming its tensor, whatever the verify setting and whether or not the file has a
// certificate; the certificate treats a NaN logit as a failure wherever it sits; and a logit that
// overflows at inference is an OutputError, which the handler answers 500, never 200 with null.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateError, OutputError, WeightFileError } from '../../src/errors.js';
import { createHandler } from '../../src/lambda/handler.js';
import { checkCertificate } from '../../src/model/certificate.js';
import { firstNonFinite } from '../../src/model/finite.js';
import { loadModel } from '../../src/node/files.js';
import { probeValues } from '../../src/model/probe.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import type { EmbedOptions, Embedding, VectorSource } from '../../src/vectors/store.js';
import { fakeStore, json, testConfig, v2 } from '../lambda/helpers.js';
import { kimTensors } from '../helpers/models.js';
import { repoRoot } from '../helpers/paths.js';
import { encodeTensors } from '../helpers/safetensors.js';

const tmp = mkdtempSync(join(tmpdir(), 'tinycnn-nonfinite-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BAD_VALUES = [NaN, Infinity, -Infinity, -NaN];
const BACKENDS = ['js', 'wasm-simd'] as const;

/** Which tensor holds float `index` of the data section (tensors in file order). */
function tensorAt(bytes: Uint8Array, index: number): { name: string; element: number; byte: number } {
  const file = readSafetensors(bytes, 'x');
  let base = Infinity;
  for (const t of file.tensors.values()) base = Math.min(base, t.data.byteOffset - bytes.byteOffset);
  for (const [name, t] of file.tensors) {
    const first = (t.data.byteOffset - bytes.byteOffset - base) / 4;
    if (index >= first && index < first + t.data.length) return { name, element: index - first, byte: base + 4 * index };
  }
  throw new Error(`float ${index} is in no tensor`);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('non-finite weights are refused at load, naming the tensor', () => {
  for (const weights of ['kim-sst2.safetensors', 'sm-trecqa.safetensors']) {
    it(`${weights}: 200 seeded single-float NaN / Inf mutations, verify on and off`, () => {
      const good = new Uint8Array(readFileSync(join(repoRoot, 'weights', weights)));
      const floats = [...readSafetensors(good, weights).tensors.values()].reduce((n, t) => n + t.data.length, 0);
      const picks = probeValues(16, 200);
      for (let m = 0; m < picks.length; m++) {
        const index = Math.floor(((picks[m] + 1) / 2) * floats);
        const at = tensorAt(good, index);
        const bytes = good.slice();
        new DataView(bytes.buffer).setFloat32(at.byte, BAD_VALUES[m % BAD_VALUES.length], true);
        for (const verify of [true, false]) {
          const error = thrown(() => loadModel(bytes, { name: weights, backend: 'js', verify }));
          expect(error, `float ${index} = ${BAD_VALUES[m % 4]}, verify ${verify}`).toBeInstanceOf(WeightFileError);
          expect((error as WeightFileError).code).toBe('WEIGHTS_NOT_FINITE');
          expect((error as WeightFileError).tensor).toBe(at.name);
          expect((error as Error).message).toContain(`${weights} [${at.name}]: element ${at.element} `);
        }
      }
    });
  }

  it('a file without a certificate (as ONNX conversion writes) is refused too; the message gives the position', () => {
    const tensors = kimTensors();
    tensors[0].data[4 * 6 + 5] = Infinity; // conv1.weight [filters 4, channels 1, k 3, dim 6]: element 29 = [1, 0, 1, 5]
    const error = thrown(() => loadModel(encodeTensors(tensors), { name: 'onnx.safetensors', backend: 'js' }));
    expect(error).toBeInstanceOf(WeightFileError);
    expect((error as Error).message).toMatch(/^onnx\.safetensors \[conv1\.weight\]: element 29 \[1, 0, 1, 5\] is Infinity/);
  });

  it('firstNonFinite finds the first bad value, or -1', () => {
    expect(firstNonFinite(new Float32Array([0, 1, -3.4e38, 1e-45]))).toBe(-1);
    expect(firstNonFinite(new Float32Array([0, 1, -Infinity, NaN]))).toBe(2);
    expect(firstNonFinite(new Float32Array([NaN]))).toBe(0);
    expect(firstNonFinite(new Float32Array(0))).toBe(-1);
  });
});

describe('the parity certificate treats NaN as a failure wherever it is', () => {
  const expected = [0.12, -0.5, 0.33, 1.5, -2, 0.01];
  for (let at = 0; at < expected.length; at++) {
    it(`NaN in logit ${at} of 6`, () => {
      const ours = Float32Array.from(expected);
      ours[at] = NaN;
      const error = thrown(() => checkCertificate('f.safetensors', ours, expected, 'js'));
      expect(error).toBeInstanceOf(CertificateError);
      expect((error as CertificateError).worstError).toBeNaN();
      expect((error as Error).message).toContain(`logit ${at} is NaN here`);
    });
  }

  it('an infinite logit fails; exact logits pass', () => {
    const ours = Float32Array.from(expected);
    ours[2] = Infinity;
    expect(() => checkCertificate('f', ours, expected, 'js')).toThrow(/logit 2 is Infinity here/);
    expect(checkCertificate('f', Float32Array.from(expected), expected, 'js').worstError).toBeLessThan(1e-7);
  });
});

describe('a logit that overflows float32 at inference is an error, never an answer', () => {
  /** Finite weights (3e38, biases 0) that overflow on an input of ones and give exactly 0 on zeros. */
  function overflowing(): Uint8Array {
    const tensors = kimTensors({ classes: 2 });
    for (const t of tensors) t.data.fill(t.name.endsWith('.weight') ? 3e38 : 0);
    return encodeTensors(tensors);
  }

  for (const backend of BACKENDS) {
    it(`${backend}: OutputError naming the input and the logit; a harmless input still answers`, () => {
      const model = loadModel(overflowing(), { name: 'huge.safetensors', backend });
      const ones = { x: { data: new Float32Array(5 * 6).fill(1), tokens: 5 } };
      const error = thrown(() => model.predictBatch([{ x: { data: new Float32Array(5 * 6), tokens: 5 } }, ones]));
      expect(error).toBeInstanceOf(OutputError);
      expect((error as OutputError).code).toBe('OUTPUT_NOT_FINITE');
      expect((error as OutputError).input).toBe(1);
      expect((error as Error).message).toMatch(/^huge\.safetensors: logit \d of input 1 is (NaN|-?Infinity)/);
      const zeros = model.predict({ x: { data: new Float32Array(5 * 6), tokens: 5 } }); // conv sums 0 -> finite
      expect(zeros.logits.every(Number.isFinite)).toBe(true);
    });
  }

  it('the handler answers 500 (not 200 with null) and logs the OutputError', async () => {
    const path = join(tmp, 'huge.safetensors');
    writeFileSync(path, overflowing());
    const ones: VectorSource = {
      name: 'ones',
      dim: 6,
      async embed(tokens: readonly string[], options: EmbedOptions = {}): Promise<Embedding> {
        const matrix = (options.out ?? new Float32Array(tokens.length * 6)).fill(1, 0, tokens.length * 6);
        return { matrix, unknown: [], unknownPositions: [] };
      },
      close() {},
    };
    const logs: string[] = [];
    const handler = await createHandler(testConfig({ TINYCNN_MODEL: 'kim', TINYCNN_WEIGHTS: path, TINYCNN_BACKEND: 'js', AWS_LAMBDA_LOG_FORMAT: 'JSON' }), {
      log: (line) => logs.push(line),
      openStore: () => ones,
    });
    const response = await handler(v2('POST', '/kim', { input: 'a good film' }));
    expect(response.statusCode).toBe(500);
    expect(json(response).error.code).toBe('INTERNAL');
    expect(response.body).not.toContain('null');
    const errors = logs.map((l) => JSON.parse(l)).filter((r) => r.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].errorType).toBe('OutputError');
    expect(errors[0].errorMessage).toMatch(/logit \d of input 0 is (NaN|-?Infinity)/);
  });

  it('INIT refuses a weight file with a NaN, naming it', async () => {
    const tensors = kimTensors({ dim: 300 });
    tensors[7].data[1] = NaN; // fc1.bias
    const path = join(tmp, 'nan.safetensors');
    writeFileSync(path, encodeTensors(tensors));
    await expect(
      createHandler(testConfig({ TINYCNN_MODEL: 'kim', TINYCNN_WEIGHTS: path }), { log: () => {}, openStore: (_m, _c, dim) => fakeStore(dim) }),
    ).rejects.toThrow(/nan\.safetensors \[fc1\.bias\]: element 1 \[1\] is NaN/);
  });
});
