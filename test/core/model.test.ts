// Loading (layout detection from tensors + metadata), input validation, batches, and the forward pass
// composed from the reference ops.
import { describe, expect, it } from 'vitest';
import { activate, conv1dWide, denseRef, maxOverTime } from '../../kernels/js/reference.js';
import { CertificateError, InputError, UnsupportedModelError, WeightFileError } from '../../src/errors.js';
import { inputFromJson } from '../../src/model/input.js';
import { loadModel } from '../../src/node/files.js';
import { probeValues } from '../../src/model/probe.js';
import { kimTensors, smTensors } from '../helpers/models.js';
import { randomFloats } from '../helpers/random.js';
import { encodeTensors, type RawTensor } from '../helpers/safetensors.js';

const load = (tensors: RawTensor[], metadata: Record<string, string> = {}) =>
  loadModel(encodeTensors(tensors, metadata), { backend: 'js', name: 'm.safetensors' });

/** Kim forward written out with the reference ops, one pass per op, as castorini's module does it. */
function referenceKim(tensors: RawTensor[], x: Float32Array, tokens: number): Float32Array {
  const t = (name: string) => tensors.find((s) => s.name === name)!;
  const [filters, channels, , dim] = t('conv1.weight').shape;
  const features = new Float32Array(3 * filters);
  ['conv1', 'conv2', 'conv3'].forEach((conv, i) => {
    const k = t(`${conv}.weight`).shape[2];
    const y = new Float32Array(filters * (tokens + k - 1));
    conv1dWide(y, x, tokens, t(`${conv}.weight`).data, t(`${conv}.bias`).data, { filters, channels, k, dim });
    activate(y, y.length, 'relu');
    maxOverTime(features, i * filters, y, filters, tokens + k - 1);
  });
  const classes = t('fc1.bias').shape[0];
  const out = new Float32Array(classes);
  denseRef(out, features, t('fc1.weight').data, t('fc1.bias').data, classes, 3 * filters);
  return out;
}

describe('loading', () => {
  it('detects Kim static and multichannel, SM with and without external features', () => {
    expect(load(kimTensors()).spec).toMatchObject({ kind: 'kim', channels: 1, filters: 4, dim: 6, kernelSizes: [3, 4, 5], classes: 3 });
    expect(load(kimTensors({ channels: 2 })).spec).toMatchObject({ kind: 'kim', channels: 2 });
    expect(load(smTensors()).spec).toMatchObject({ kind: 'sm', extFeatures: 0, hidden: 8, k: 5, dim: 5 });
    expect(load(smTensors({ ext: true })).spec).toMatchObject({ kind: 'sm', extFeatures: 4, hidden: 12 });
  });

  it('takes labels from the metadata, or numbers them', () => {
    expect(load(kimTensors()).spec.labels).toEqual(['0', '1', '2']);
    expect(load(kimTensors(), { 'tinycnn.labels': '["neg","neu","pos"]' }).spec.labels).toEqual(['neg', 'neu', 'pos']);
    expect(() => load(kimTensors(), { 'tinycnn.labels': '["neg"]' })).toThrow(/list of 3 strings/);
  });

  it('ignores the embedding tables of older Castor checkpoints', () => {
    const tensors = [...kimTensors(), { name: 'embed.weight', shape: [2, 6], data: new Float32Array(12) }];
    expect(load(tensors).spec.kind).toBe('kim');
  });

  it('refuses a missing tensor, naming it', () => {
    const tensors = kimTensors().filter((t) => t.name !== 'conv2.bias');
    expect(() => load(tensors)).toThrow(WeightFileError);
    expect(() => load(tensors)).toThrow(/\[conv2\.bias\]: missing tensor for KimCNN/);
  });

  it('refuses a wrong shape, naming the tensor and the expected shape', () => {
    const tensors = kimTensors().map((t) => (t.name === 'fc1.weight' ? { ...t, shape: [4, 9], data: new Float32Array(36) } : t));
    expect(() => load(tensors)).toThrow(/\[fc1\.weight\]: shape \[4,9\] should be \[4,12\]/);
    const sm = smTensors().map((t) => (t.name === 'conv_a.weight' ? { ...t, shape: [4, 1, 3, 5], data: new Float32Array(60) } : t));
    expect(() => load(sm)).toThrow(/\[conv_a\.weight\]: shape \[4,1,3,5\] should be \[4,1,5,5\]/);
  });

  it('refuses unknown layouts and contradicting metadata', () => {
    const other = [{ name: 'lstm.weight', shape: [2], data: new Float32Array(2) }];
    expect(() => load(other)).toThrow(UnsupportedModelError);
    expect(() => load(other)).toThrow(/neither castorini's KimCNN .* nor its SMModel/);
    expect(() => load([...kimTensors(), { name: 'extra', shape: [1], data: new Float32Array(1) }])).toThrow(/unexpected tensors \[extra\]/);
    expect(() => load(kimTensors(), { 'tinycnn.architecture': 'SMModel' })).toThrow(/metadata says architecture SMModel/);
  });

  it('names the file it cannot read', () => {
    expect(() => loadModel('/nonexistent/model.safetensors')).toThrow(/\/nonexistent\/model\.safetensors: cannot read the file \(ENOENT\)/);
  });
});

describe('forward', () => {
  it('Kim logits equal the reference ops, for 1 to 9 tokens and 2 channels', () => {
    for (const channels of [1, 2]) {
      const tensors = kimTensors({ channels });
      const model = load(tensors);
      for (const tokens of [1, 2, 5, 9]) {
        const x = randomFloats(channels * tokens * 6);
        const ours = model.logits({ x: { data: x, tokens } });
        const expected = referenceKim(tensors, x, tokens);
        for (let i = 0; i < 3; i++) expect(Math.abs(ours[i] - expected[i])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(expected[i])));
      }
    }
  });

  it('a batch of different lengths gives each sentence its own logits', () => {
    const model = load(kimTensors());
    const inputs = [1, 7, 3].map((tokens) => ({ x: { data: randomFloats(tokens * 6), tokens } }));
    const batch = model.logitsBatch(inputs);
    inputs.forEach((input, i) => expect(Array.from(batch[i])).toEqual(Array.from(model.logits(input))));
    const sm = load(smTensors({ ext: true }));
    const pairs = [
      [1, 4],
      [6, 2],
    ].map(([nq, na]) => ({
      q: { data: randomFloats(nq * 5), tokens: nq },
      a: { data: randomFloats(na * 5), tokens: na },
      ext: randomFloats(4),
    }));
    const smBatch = sm.logitsBatch(pairs);
    pairs.forEach((pair, i) => expect(Array.from(smBatch[i])).toEqual(Array.from(sm.logits(pair))));
  });

  it('predict gives softmax probabilities, the argmax and its label', () => {
    const model = load(kimTensors(), { 'tinycnn.labels': '["a","b","c"]' });
    const p = model.predict({ x: { data: randomFloats(18), tokens: 3 } });
    expect(p.probabilities.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(p.prediction).toBe(p.logits.indexOf(Math.max(...p.logits)));
    expect(p.label).toBe(['a', 'b', 'c'][p.prediction]);
  });
});

describe('bad inputs', () => {
  const kim = load(kimTensors());
  const sm = load(smTensors({ ext: true }));
  const row = (n = 6) => Array.from({ length: n }, (_, i) => i / 10);

  const cases: Array<[string, () => unknown, RegExp]> = [
    ['wrong width', () => inputFromJson(kim.spec, { x: [row(), row(5)] }), /input\.x\[1\]: has 5 values, the model's word vectors have 6/],
    ['zero tokens', () => inputFromJson(kim.spec, { x: [] }), /input\.x: has zero tokens/],
    ['ragged / non-list row', () => inputFromJson(kim.spec, { x: [row(), 3] }), /input\.x\[1\]: must be a list of 6 numbers/],
    ['a string value', () => inputFromJson(kim.spec, { x: [[...row(5), '1']] }), /input\.x\[0\]\[5\]: "1" is not a finite number/],
    ['missing x', () => inputFromJson(kim.spec, { q: [] }), /needs "x"/],
    ['not an object', () => inputFromJson(kim.spec, 7), /must be a JSON object/],
    ['SM missing ext', () => inputFromJson(sm.spec, { q: [row(5)], a: [row(5)] }), /input\.ext: this model needs 4 external features/],
    ['SM short ext', () => inputFromJson(sm.spec, { q: [row(5)], a: [row(5)], ext: [1, 2] }), /has 2 values, expected 4/],
    ['NaN', () => kim.logits({ x: { data: Float32Array.of(...row(5), NaN), tokens: 1 } }), /input\.x: value NaN at row 0, column 5/],
    ['Infinity', () => kim.logits({ x: { data: Float32Array.of(...row(5), Infinity), tokens: 1 } }), /value Infinity/],
    ['overflow to float32 Infinity', () => inputFromJson(kim.spec, { x: [[...row(5), 1e39]] }), /value Infinity/],
    ['length mismatch', () => kim.logits({ x: { data: new Float32Array(7), tokens: 1 } }), /holds 7 values, expected channels x tokens x dim = 1 x 1 x 6/],
    ['zero tokens (API)', () => kim.logits({ x: { data: new Float32Array(0), tokens: 0 } }), /has 0 tokens/],
    ['multichannel given one channel', () => inputFromJson(load(kimTensors({ channels: 2 })).spec, { x: [row(), row()] }), /needs 2 channels/],
    ['empty batch', () => kim.logitsBatch([]), /batch: is empty/],
    [
      'bad item in a batch',
      () => kim.logitsBatch([{ x: { data: new Float32Array(6), tokens: 1 } }, { x: { data: new Float32Array(5), tokens: 1 } }]),
      /batch\[1\]\.x/,
    ],
  ];
  for (const [name, run, message] of cases) {
    it(name, () => {
      expect(run).toThrow(InputError);
      expect(run).toThrow(message);
    });
  }

  it('the model keeps working after a bad input', () => {
    expect(() => kim.logits({ x: { data: new Float32Array(5), tokens: 1 } })).toThrow(InputError);
    expect(kim.logits({ x: { data: new Float32Array(6), tokens: 1 } })).toHaveLength(3);
  });
});

describe('parity certificate', () => {
  it('refuses a file whose stored PyTorch logits it does not reproduce, naming the worst error', () => {
    const tensors = kimTensors();
    const model = load(tensors);
    const probe = { generator: 'mulberry32', seed: 5, tokens: 4 };
    const honest = Array.from(model.logits({ x: { data: probeValues(5, 24), tokens: 4 } }));
    // the same weights with the certificate's logits as computed: accepted
    const ok = load(tensors, { 'tinycnn.probe': JSON.stringify({ ...probe, logits: honest }) });
    expect(ok.certificate!.worstError).toBeLessThanOrEqual(1e-7);
    // one logit off by 1%: refused, with the logit, both values and the error
    const tampered = honest.map((v, i) => (i === 1 ? v * 1.01 + 0.01 : v));
    const bad = () => load(tensors, { 'tinycnn.probe': JSON.stringify({ ...probe, logits: tampered }) });
    expect(bad).toThrow(CertificateError);
    expect(bad).toThrow(/parity certificate failed on backend js: logit 1 is .* here but .* in PyTorch \(error .* > 0\.0001\)/);
    // and verify: false skips the check
    const skipped = loadModel(encodeTensors(tensors, { 'tinycnn.probe': JSON.stringify({ ...probe, logits: tampered }) }), { backend: 'js', verify: false });
    expect(skipped.certificate).toBeUndefined();
  });

  it('refuses a certificate it cannot read', () => {
    expect(() => load(kimTensors(), { 'tinycnn.probe': '{"generator":"other","seed":1,"tokens":3,"logits":[1,2,3]}' })).toThrow(
      /not a certificate tinycnn understands/,
    );
  });
});
