/**
 * The ONNX reader (onnxToSafetensors) on mutated ONNX files: small Kim CNN graphs in the shape
 * torch.onnx.export writes, with float32, float_data, float16 and double initializers. A case
 * passes when the file is refused with a ConversionError (a TinyCnnError), or converts into a
 * weight file that loads (or is refused with a typed error) and answers a fixed input with finite
 * logits (or an OutputError).
 */
import { onnxToSafetensors } from '../../../src/onnx/convert.js';
import { loadModel } from '../../../src/node/files.js';
import { probeValues } from '../../../src/model/probe.js';
import { encodeModel, smallKim } from '../../onnx/build.js';
import { mutateBytes } from '../mutate.js';
import { ensure, typed, type FuzzTarget } from '../target.js';

export const onnxTarget: FuzzTarget<Uint8Array[], Uint8Array> = {
  setup: () => [
    encodeModel(smallKim().graph),
    encodeModel(smallKim({ channels: 2, filters: 4, dim: 5, classes: 3, storage: () => 'float_data' }).graph),
    encodeModel(smallKim({ storage: (n) => (n.endsWith('bias') ? 'f16_raw' : 'double_raw') }).graph),
  ],
  make(models, rng) {
    const model = rng.int(models.length);
    const { bytes, ops } = mutateBytes(rng, models[model]);
    return { input: bytes, ops: [`model ${model}:`, ...ops] };
  },
  async check(_, bytes) {
    const converted = await typed(() => onnxToSafetensors(bytes, 'fuzz.onnx'));
    if ('code' in converted) return converted.code;
    const loaded = await typed(() => loadModel(converted.value.bytes, { name: 'fuzz.safetensors', backend: 'wasm-simd' }));
    if ('code' in loaded) return `converted, then ${loaded.code}`;
    const model = loaded.value;
    const spec = model.spec;
    if (spec.kind !== 'kim') return 'converted (not Kim)';
    const answer = await typed(() => model.predict({ x: { data: probeValues(5, spec.channels * 7 * spec.dim), tokens: 7 } }));
    if ('code' in answer) return `converted, then ${answer.code}`;
    ensure(
      answer.value.logits.every(Number.isFinite) && answer.value.probabilities.every(Number.isFinite),
      'a converted model answered with a non-finite number',
    );
    return 'converted';
  },
  save: (bytes) => bytes,
};
