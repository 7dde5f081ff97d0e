/**
 * The safetensors reader and the model loader on mutated weight files (mostly their JSON header, as
 * in the 2,000-mutation runs; some data bytes too). Files: the default Kim weights (reader
 * only: 1.4 MB) and the small PyTorch-certified golden files kim-odd and sm-odd (reader, then
 * loadModel with the certificate on, then one prediction). A case passes when the file is refused
 * with a TinyCnnError, or reads into tensors whose views lie inside the file with the byte count
 * their shape needs, and loads into a model whose answer on a fixed input is finite (or an
 * OutputError) and, when the file still has a certificate, reproduces it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '../../../src/model/model.js';
import { loadModel } from '../../../src/node/files.js';
import { probeValues } from '../../../src/model/probe.js';
import type { ModelInput } from '../../../src/model/registry.js';
import { readSafetensors } from '../../../src/safetensors/read.js';
import { mutateBytes, type Focus } from '../mutate.js';
import { ensure, typed, type FuzzTarget } from '../target.js';

interface Source {
  name: string;
  bytes: Uint8Array;
  focus: Focus;
  load: boolean;
}

interface Input {
  source: Source;
  bytes: Uint8Array;
}

function source(path: string, load: boolean): Source {
  const bytes = new Uint8Array(readFileSync(path));
  const headerEnd = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return {
    name: path.slice(path.lastIndexOf('/') + 1),
    bytes,
    focus: [
      [0, headerEnd],
      [0, headerEnd],
      [0, 8],
      [headerEnd, bytes.length],
    ],
    load,
  };
}

function probeInput(model: Model): ModelInput {
  const s = model.spec;
  if (s.kind === 'kim') return { x: { data: probeValues(7, s.channels * 9 * s.dim), tokens: 9 } };
  const q = { data: probeValues(8, 6 * s.dim), tokens: 6 };
  const a = { data: probeValues(9, 11 * s.dim), tokens: 11 };
  return s.extFeatures > 0 ? { q, a, ext: probeValues(10, s.extFeatures) } : { q, a };
}

export const safetensorsTarget: FuzzTarget<Source[], Input> = {
  setup: ({ root }) => [
    source(join(root, 'weights', 'kim-sst2.safetensors'), false),
    source(join(root, 'test', 'golden', 'kim-odd.safetensors'), true),
    source(join(root, 'test', 'golden', 'sm-odd.safetensors'), true),
  ],
  make(sources, rng) {
    const s = rng.pick(sources);
    const { bytes, ops } = mutateBytes(rng, s.bytes, s.focus);
    return { input: { source: s, bytes }, ops: [`${s.name}:`, ...ops] };
  },
  async check(_, { source, bytes }) {
    const read = await typed(() => readSafetensors(bytes, source.name), [source.name]);
    if ('code' in read) return read.code;
    for (const [name, t] of read.value.tensors) {
      const numel = t.shape.reduce((a, b) => a * b, 1);
      ensure(t.data.length === numel, `${name}: ${t.data.length} floats for shape [${t.shape}]`);
      ensure(
        t.data.buffer !== bytes.buffer ||
          (t.data.byteOffset >= bytes.byteOffset + 8 && t.data.byteOffset + t.data.byteLength <= bytes.byteOffset + bytes.length),
        `${name}: view outside the file`,
      );
    }
    for (const [k, v] of Object.entries(read.value.metadata)) ensure(typeof v === 'string', `metadata ${k} is not a string`);
    if (!source.load) return 'read';
    const loaded = await typed(() => loadModel(bytes, { name: source.name, backend: 'wasm-simd' }), [source.name]);
    if ('code' in loaded) return loaded.code;
    const model = loaded.value;
    ensure(model.metadata['tinycnn.probe'] === undefined || model.certificate !== undefined, 'a file with a certificate loaded without checking it');
    const answer = await typed(() => model.predict(probeInput(model)));
    if ('code' in answer) return answer.code;
    const { logits, probabilities, prediction, label } = answer.value;
    ensure(logits.every(Number.isFinite) && probabilities.every(Number.isFinite), `non-finite answer: ${JSON.stringify({ logits, probabilities })}`);
    ensure(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'probabilities do not sum to 1');
    ensure(label === model.spec.labels[prediction], "label is not the prediction's");
    return 'loaded';
  },
  save: ({ bytes }) => bytes,
};
